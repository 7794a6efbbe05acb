"""Report, charts and model-adoption pages render for the roles that see them, and the report builds a download."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from pilots import db
from pilots.access import load_current_user
from pilots.models import Pilot, Site, UserAccount

APP = str(Path(__file__).resolve().parents[2] / "workbench" / "app.py")


def _open(demo_url: str, username: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    engine = db.make_engine(demo_url)
    with db.session_scope(engine) as s:
        account = s.scalar(select(UserAccount).where(UserAccount.username == username))
        at.session_state["user"] = load_current_user(s, account)
    engine.dispose()
    at.session_state["logged_in_at"] = datetime.now()
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    return at


def _pilot_id(demo_url: str, slug: str) -> int:
    engine = db.make_engine(demo_url)
    with db.session_scope(engine) as s:
        pid = s.scalar(select(Pilot.id).where(Pilot.slug == slug))
    engine.dispose()
    return int(pid)


def test_report_page_builds_a_download_for_the_researcher(demo_url: str) -> None:
    at = _open(demo_url, "forskare", "report")
    assert not at.exception
    at.selectbox(key="report_pilot").set_value(_pilot_id(demo_url, "tryggvaxt")).run()
    assert any("Läsanvisning för utkastet" in str(df.value.to_dict()) for df in at.dataframe)
    at.selectbox(key="report_format").set_value("html")
    at.button(key="report_build").click().run()
    assert not at.exception
    assert "report_file" in at.session_state
    name, data, fmt, fingerprint = at.session_state["report_file"]
    assert fmt == "html" and fingerprint.encode() in data


def test_commentary_with_a_personal_number_is_refused_on_the_page(demo_url: str) -> None:
    at = _open(demo_url, "forskare", "report")
    at.text_input[1].set_value("Fel")  # [0] is the report version
    at.text_area[0].set_value("Gäller 19121212-1212")
    at.button[0].click().run()
    assert not at.exception
    assert at.error, "the personal identity number is refused with a message"


def test_charts_page_for_presenter_shows_only_aggregates_and_the_rule(demo_url: str) -> None:
    at = _open(demo_url, "presentator", "charts")
    assert not at.exception
    text = " ".join(c.value for c in at.caption)
    assert "Antal under 5 visas inte" in text


def test_charts_page_for_mfof_lists_the_catalogue(demo_url: str) -> None:
    at = _open(demo_url, "mfof", "charts")
    assert not at.exception
    assert len(at.multiselect(key="charts_pick").options) >= 3


def test_model_adoption_page_renders_for_researcher_and_municipality(demo_url: str) -> None:
    for username in ("forskare", "skelleftea"):
        at = _open(demo_url, username, "model_adoption")
        assert not at.exception, username


def test_charts_page_draws_one_chosen_municipalitys_network_on_demand(demo_url: str) -> None:
    at = _open(demo_url, "mfof", "charts")
    assert not at.exception
    charts_before = len(at.get("plotly_chart"))
    picker = next(s for s in at.selectbox if s.key and s.key.startswith("charts_network_site_"))
    assert picker.value == 0, "no network is drawn until a municipality is chosen"
    engine = db.make_engine(demo_url)
    with db.session_scope(engine) as s:
        site = s.scalars(select(Site).where(Site.pilot_id == at.selectbox(key="charts_pilot").value)).first()
        site_id, municipality = site.id, site.municipality.name
    engine.dispose()
    picker.set_value(site_id).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == charts_before + 1
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert spec["layout"]["title"]["text"].startswith(f"Samverkansnätverk – {municipality}")
