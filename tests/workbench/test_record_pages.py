"""The record pages render for each role on the demo data without an exception."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pilots import db
from pilots.access import CurrentUser
from workbench.demo import load_demo

APP = str(Path(__file__).resolve().parents[2] / "workbench" / "app.py")
PAGES = ["sites", "timeline", "log", "indicators", "data_import", "trash"]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'demo.db'}"
    engine = db.make_engine(url)
    load_demo(engine)
    engine.dispose()
    return url


def _run(url: str, monkeypatch: pytest.MonkeyPatch, page: str, user: CurrentUser) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = user
    at.session_state["logged_in_at"] = datetime.now()
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    return at


ADMIN = CurrentUser(id=1, username="admin", role="admin", display_name="Admin")


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_for_admin(demo_url: str, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = _run(demo_url, monkeypatch, page, ADMIN)
    assert not at.exception, at.exception
    assert at.title


def test_log_page_for_municipality_shows_only_own_entries(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    user = CurrentUser(id=None, username="orebro", role="municipality", municipality_code="1880")
    at = _run(demo_url, monkeypatch, "log", user)
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) > 0
    assert set(table["Plats"].str.split(" ").str[0]) == {"Örebro"}  # headers are shown in Swedish


def test_timeline_page_shows_late_and_done(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run(demo_url, monkeypatch, "timeline", ADMIN)
    summary = at.dataframe[-1].value if len(at.dataframe) else None
    assert not at.exception
    assert summary is not None

