"""Fixtures for the faces: a demo database on SQLite and an AppTest logged in as a given role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from pilots import db
from pilots.access import load_current_user
from pilots.models import UserAccount

APP = str(Path(__file__).resolve().parents[2] / "workbench" / "app.py")


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the full demo loaded once per test session."""
    from workbench.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = db.make_engine(f"sqlite:///{path}")
    load_demo(engine)
    engine.dispose()
    return path


@pytest.fixture
def demo_url(demo_db_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private copy of the demo database, configured as the workbench's database."""
    import shutil

    path = tmp_path / "workbench.db"
    shutil.copy(demo_db_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv(db.ENV_URL, url)
    yield url
    db.dispose_engines()


@pytest.fixture
def app_as(demo_url: str) -> Callable[[str], AppTest]:
    """An AppTest logged in as a demo account (by username), already run once."""

    def make(username: str | None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if username is not None:
            engine = db.make_engine(demo_url)
            with db.session_scope(engine) as s:
                account = s.scalar(select(UserAccount).where(UserAccount.username == username))
                at.session_state["user"] = load_current_user(s, account)
            engine.dispose()
            at.session_state["logged_in_at"] = datetime.now()
        at.run()
        return at

    return make


def registered_paths(at: AppTest) -> set[str]:
    """The page files the navigation registered for this session."""
    return {Path(p["script_path"]).stem for p in at._registered_pages.values()}  # noqa: SLF001
