"""The meetings, network and forums pages on the demo database (AppTest): they render, and a meeting logged
through the form is saved and counted."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from pilots import db
from pilots.access import CurrentUser
from pilots.models import Meeting
from workbench.demo import load_demo

APP = str(Path(__file__).resolve().parents[2] / "workbench" / "app.py")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'demo.db'}"
    engine = db.make_engine(url)
    load_demo(engine)
    engine.dispose()
    return url


def _app(demo_url, monkeypatch, role="admin") -> AppTest:
    monkeypatch.setenv(db.ENV_URL, demo_url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = CurrentUser(id=1, username=role, role=role)
    at.session_state["logged_in_at"] = datetime.now()
    return at


def _meetings(url: str) -> int:
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        n = session.scalar(select(func.count()).select_from(Meeting).where(Meeting.deleted_at.is_(None)))
    engine.dispose()
    return int(n)


@pytest.mark.parametrize("page", ["network", "forums"])
def test_pages_render(demo_url, monkeypatch, page):
    at = _app(demo_url, monkeypatch)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value


def test_log_a_meeting_through_the_form(demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch)
    at.switch_page("pages/meetings.py").run()
    assert not at.exception, at.exception
    before = _meetings(demo_url)
    shown = at.metric[0].value
    forum_key = "meetings_forum"
    forum_id = at.selectbox(key=forum_key).value
    at.date_input(key=f"date_{forum_id}").set_value(date(2025, 7, 16))
    attended = at.multiselect(key=f"attended_{forum_id}")
    assert attended.value, "attendees are prefilled from the forum's usual attendees"
    at.text_input(key=f"purpose_{forum_id}").input("Extra möte om sommarlovet")
    at.button(key="log_submit").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert _meetings(demo_url) == before + 1
    assert int(at.metric[0].value) == int(shown) + 1
    assert any("2025-07-16" in s.value for s in at.success)


def test_duplicate_meeting_is_refused_on_the_page(demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch)
    at.switch_page("pages/meetings.py").run()
    forum_id = at.selectbox(key="meetings_forum").value
    at.date_input(key=f"date_{forum_id}").set_value(date(2025, 7, 23))
    at.button(key="log_submit").click().run()
    before = _meetings(demo_url)
    at.date_input(key=f"date_{forum_id}").set_value(date(2025, 7, 23))
    at.button(key="log_submit").click().run()
    assert not at.exception, at.exception
    assert at.error and "möte id" in at.error[0].value and "2025-07-23" in at.error[0].value
    assert _meetings(demo_url) == before
