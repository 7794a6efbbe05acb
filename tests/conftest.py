"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL tests read their URL from ``WORKBENCH_TEST_POSTGRES_URL`` (``.ci/run`` sets it to
postgresql+psycopg://postgres@127.0.0.1:5432/test). Without it they are skipped with a message.
Each pytest-xdist worker gets its own PostgreSQL schema, so runs in parallel do not collide.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from pilots import db
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.maintenance import prepare_database
from pilots.models import Base

PG_ENV = "WORKBENCH_TEST_POSTGRES_URL"
SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    prepare_database(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_url() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests skipped: set {PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/test")
    # One schema per test process: parallel runs (xdist workers, several developers) never collide.
    schema = f"wb_{_worker()}_{os.getpid()}"
    admin = db.make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    engine = db.make_engine(url)
    prepare_database(engine)
    engine.dispose()
    yield url
    db.dispose_engines()
    admin = db.make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _truncate_pg(engine: Engine) -> None:
    keep = {"municipality", "alembic_version", "reference_source"}
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in keep]
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        conn.execute(text("UPDATE municipality SET population=NULL, population_year=NULL, "
                          "skr_group_2017_code=NULL, skr_group_2017_name=NULL, "
                          "skr_group_2023_code=NULL, skr_group_2023_name=NULL"))
        conn.execute(text("DELETE FROM reference_source WHERE kind <> 'municipalities'"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database holding the 290 municipalities and nothing else, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "workbench.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("_pg_url")
    eng = db.make_engine(url)
    if request.param == "postgresql":
        _truncate_pg(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session as the system user through the CLI face; committed at the end of the test unless it failed."""
    with db.session_scope(engine, user=SYSTEM_USER, face="cli") as s:
        yield s


@pytest.fixture
def reference_dir() -> Path:
    if not REFERENCE.exists():
        pytest.skip("../shared/reference is not beside the project")
    return REFERENCE


def user(role: str, *, municipality: str | None = None, pilots: frozenset[int] = frozenset(), uid: int = 1) -> CurrentUser:
    """A scoped user for tests of the query layer."""
    return CurrentUser(id=uid, username=f"{role}-{uid}", role=role, municipality_code=municipality, pilot_ids=pilots)
