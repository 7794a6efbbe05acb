"""The app shell in AppTest: login, logout, each role's navigation, the language switch, the demo banner."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest

from tests.workbench.conftest import registered_paths
from workbench.demo import demo_password
from workbench.pages import PAGES, pages_for


def _login(at, username: str, password: str):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.get("form_submit_button")[0].click()  # the login form's button
    return at.run()


def test_login_with_the_right_password_shows_the_role_start_page(app_as) -> None:
    at = app_as(None)
    assert at.title[0].value == "Pilotarbetsbänken"
    at = _login(at, "forskare", demo_password())
    assert not at.exception
    assert at.title[0].value.startswith("Välkommen")
    assert any("följeforskare" in m.value for m in at.markdown)


def test_wrong_password_is_refused_without_traceback(app_as) -> None:
    at = _login(app_as(None), "forskare", "fel-lösenord")
    assert not at.exception
    assert "Fel användarnamn eller lösenord" in at.error[0].value
    assert "user" not in at.session_state


def test_logout_returns_to_the_login_page(app_as) -> None:
    at = app_as("mfof")
    at.sidebar.button(key="logout").click().run()
    assert "user" not in at.session_state
    assert at.text_input(key="login_username") is not None


@pytest.mark.parametrize("username, role", [("admin", "admin"), ("forskare", "researcher"), ("mfof", "mfof"),
                                            ("skelleftea", "municipality"), ("presentator", "presenter")])
def test_each_role_gets_exactly_its_pages(app_as, username: str, role: str) -> None:
    at = app_as(username)
    assert not at.exception
    expected = {p.module for p in pages_for(role)}
    assert registered_paths(at) == expected
    forbidden = {p.module for p in PAGES} - expected
    for module in forbidden:
        with pytest.raises(ValueError):
            at.switch_page(f"pages/{module}.py")


def test_admin_only_page_is_not_reachable_for_a_municipality(app_as) -> None:
    at = app_as("skelleftea")
    assert "users" not in registered_paths(at)
    assert "users" in registered_paths(app_as("admin"))


def test_language_switch_to_english(app_as) -> None:
    at = app_as("mfof")
    assert at.title[0].value.startswith("Välkommen")
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.title[0].value.startswith("Welcome")
    assert "Example data" in at.warning[0].value


def test_demo_banner_on_pages_built_from_demo_data(app_as) -> None:
    at = app_as("skelleftea")
    assert any("Exempeldata" in w.value for w in at.warning)


def test_expired_session_goes_back_to_login(app_as) -> None:
    at = app_as("mfof")
    at.session_state["logged_in_at"] = datetime.now() - timedelta(days=2)
    at.run()
    assert "user" not in at.session_state
    assert any("gått ut" in i.value for i in at.info)


def test_every_registered_page_renders_for_every_role_without_exception_and_writes_nothing(app_as) -> None:
    # A visit only reads: a write would also drop the derived-data cache for every user (at national scale
    # minutes of recomputation), as the indicators page once did by storing its definitions on each visit.
    with _recorded_writes() as writes:
        for username, role in [("admin", "admin"), ("forskare", "researcher"), ("mfof", "mfof"),
                               ("skelleftea", "municipality"), ("presentator", "presenter")]:
            at = app_as(username)
            for spec in pages_for(role):
                writes.clear()
                at.switch_page(f"pages/{spec.module}.py").run()
                assert not at.exception, f"{spec.module} as {role}: {at.exception}"
                assert writes == [], f"{spec.module} as {role} wrote: {writes}"


@contextmanager
def _recorded_writes() -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements any engine runs inside the block (their first words)."""
    from sqlalchemy import Engine, event

    writes: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement.split("(")[0][:60])

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield writes
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_app_refuses_a_database_behind_the_code_with_what_to_run(tmp_path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from pilots import db
    from tests.workbench.conftest import APP

    monkeypatch.setenv(db.ENV_URL, f"sqlite:///{tmp_path / 'empty.db'}")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "workbench db upgrade" in at.error[0].value
    db.dispose_engines()


def test_indicators_page_reads_the_stored_definitions_without_storing_revised_files(app_as, monkeypatch) -> None:
    # Revised definition files are stored by `workbench serve` / `workbench db upgrade`, never by a visit.
    import dataclasses

    import pilots.indicators

    real = pilots.indicators.load_indicator_definitions
    monkeypatch.setattr(pilots.indicators, "load_indicator_definitions",
                        lambda directory=None: [dataclasses.replace(s, name_sv=s.name_sv + " (reviderad)")
                                                for s in real(directory)])
    at = app_as("mfof")
    with _recorded_writes() as writes:
        at.switch_page("pages/indicators.py").run()
    assert not at.exception and writes == []
    assert "(reviderad)" not in " ".join(str(o) for box in at.selectbox for o in box.options)


def test_pages_use_the_process_engine_even_after_streamlits_resource_cache_is_emptied(tmp_path, monkeypatch) -> None:
    # One pool per database for pages, the warm-up and the schema check; emptying Streamlit's resource
    # cache used to open a new engine each time and keep the old one (and its compiled statements) alive.
    import streamlit as st

    from pilots import db
    from workbench import widgets

    monkeypatch.setenv("WORKBENCH_DATABASE_URL", f"sqlite:///{tmp_path / 'en.db'}")
    db.dispose_engines()
    try:
        first = widgets.engine()
        st.cache_resource.clear()
        assert widgets.engine() is first is db.get_engine()
    finally:
        db.dispose_engines()
