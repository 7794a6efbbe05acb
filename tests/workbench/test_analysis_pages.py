"""Dashboard, map, compare, consistency, survey and site pages render for every role allowed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pilots import db
from pilots.access import CurrentUser
from workbench.demo import load_demo

APP = str(Path(__file__).resolve().parents[2] / "workbench" / "app.py")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("pages") / "demo.db"
    url = f"sqlite:///{path}"
    engine = db.make_engine(url)
    load_demo(engine)
    engine.dispose()
    return url


def _run(monkeypatch: pytest.MonkeyPatch, url: str, user: CurrentUser, page: str, **state: object) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = user
    at.session_state["logged_in_at"] = datetime.now()
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    return at


ADMIN = CurrentUser(id=1, username="admin", role="admin")
MFOF = CurrentUser(id=4, username="mfof", role="mfof")
PRESENTER = CurrentUser(id=7, username="presentator", role="presenter")


@pytest.mark.parametrize("user", [ADMIN, MFOF], ids=["admin", "mfof"])
@pytest.mark.parametrize("page", ["dashboard", "map", "compare", "consistency", "survey"])
def test_pages_render_for_staff(monkeypatch, demo_url, user, page):
    at = _run(monkeypatch, demo_url, user, page)
    assert not at.exception, at.exception


@pytest.mark.parametrize("page", ["map", "compare", "survey"])
def test_presenter_pages_render_without_site_rows(monkeypatch, demo_url, page):
    at = _run(monkeypatch, demo_url, PRESENTER, page)
    assert not at.exception, at.exception
    shown = " ".join(str(df.value.to_string()) for df in at.dataframe)
    assert "Skellefteå" not in shown  # no site row reaches a presenter
    if page in ("map", "compare"):
        assert any("visas inte" in c.value for c in at.caption)  # the small-count rule is shown


def test_compare_says_too_few(monkeypatch, demo_url):
    at = _run(monkeypatch, demo_url, MFOF, "compare")
    assert any("För få för att jämföra" in w.value for w in at.warning)


def test_site_detail_reads_the_selected_site(monkeypatch, demo_url):
    at = _run(monkeypatch, demo_url, MFOF, "site_detail", selected_site_id=1)
    assert not at.exception, at.exception
    assert any("Skellefteå" in s.value for s in at.subheader)


def test_filters_persist_between_pages(monkeypatch, demo_url):
    filters = {"pilot_ids": [], "skr_groups": ["C6"], "size_classes": [], "counties": []}
    at = _run(monkeypatch, demo_url, MFOF, "dashboard", filters=filters)
    assert not at.exception, at.exception
    assert at.session_state["filters"]["skr_groups"] == ["C6"]
    at.switch_page("pages/map.py")
    at.run()
    assert at.session_state["filters"]["skr_groups"] == ["C6"]
    assert any("C6" in c.value for c in at.caption)
