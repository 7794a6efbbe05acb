"""Indexes of the listing pages and planner statistics: the migration creates what the models declare, the
listing queries read along their indexes, and upgrades and large imports refresh the statistics."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.orm import Session

from pilots import db, importing
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.audit import audit_count, audit_filter_choices, audit_trail, record_event
from pilots.importing import run_import
from pilots.log import LOG_IMPORTER, log_count, log_frame
from pilots.maintenance import prepare_database
from pilots.models import Base
from tests.pilots.records_helpers import setup_pilot

PG_ENV = "WORKBENCH_TEST_POSTGRES_URL"
ADMIN = CurrentUser(id=None, username="admin-anna", role="admin")

LISTING_INDEXES = {
    "audit_event": {
        "ix_audit_event_at_id": ["at", "id"],
        "ix_audit_event_username_at": ["username", "at", "id"],
        "ix_audit_event_entity_at": ["entity", "at", "id"],
        "ix_audit_event_face_at": ["face", "at", "id"],
    },
    "log_entry": {"ix_log_entry_date_id": ["entry_date", "id"]},
}


def test_the_migrations_build_exactly_the_models_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def _index_columns(engine: Engine, table: str) -> dict[str, list[str]]:
    return {str(ix["name"]): [str(c) for c in ix["column_names"]] for ix in inspect(engine).get_indexes(table)}


def test_the_listing_indexes_exist_after_upgrade(engine: Engine) -> None:
    for table, wanted in LISTING_INDEXES.items():
        found = _index_columns(engine, table)
        assert {name: found.get(name) for name in wanted} == wanted


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own on each backend (a PostgreSQL schema dropped afterwards)."""
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests skipped: set {PG_ENV}")
    schema = f"wb_roundtrip_{os.getpid()}"
    admin = db.make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = db.make_engine(f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_the_index_migration_goes_down_and_up_again(empty_engine: Engine) -> None:
    from alembic import command

    db.upgrade(empty_engine)
    command.downgrade(db.alembic_config(empty_engine), "0001")
    names = set(_index_columns(empty_engine, "audit_event")) | set(_index_columns(empty_engine, "log_entry"))
    assert "ix_audit_event_at" in names and not names & {n for ixs in LISTING_INDEXES.values() for n in ixs}
    command.downgrade(db.alembic_config(empty_engine), "base")
    db.upgrade(empty_engine)
    assert set(LISTING_INDEXES["audit_event"]) <= set(_index_columns(empty_engine, "audit_event"))
    assert db.current_revision(empty_engine) == db.head_revision()


def _log_csv(rows: int) -> bytes:
    lines = ["pilot;kommunkod;datum;typ;text"]
    for n in range(rows):
        day = date(2025, 3, 1) + timedelta(days=n % 200)
        lines.append(f"tryggvaxt;{('2482', '2480')[n % 2]};{day.isoformat()};observation;Styrgruppen möttes {n}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _planned_rows(session: Session, table: str) -> float | None:
    """How many rows the planner's statistics say ``table`` has (None: no statistics)."""
    if session.get_bind().dialect.name == "sqlite":
        stat = session.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t LIMIT 1"), {"t": table})
        return None if stat is None else float(str(stat).split()[0])
    reltuples = session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": table})
    return None if reltuples is None or reltuples < 0 else float(reltuples)


def test_upgrade_leaves_planner_statistics(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    prepare_database(engine)
    with db.session_scope(engine) as s:
        assert _planned_rows(s, "municipality") == 290
    engine.dispose()


def test_a_large_import_refreshes_the_planner_statistics(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "ANALYZE_AFTER_ROWS", 60)  # the real threshold is a thousand records
    lines = _log_csv(119).decode().splitlines()
    small = ("\n".join(lines[:60]) + "\n").encode()  # 59 entries
    large = ("\n".join([lines[0], *lines[60:]]) + "\n").encode()  # the other 60
    with db.session_scope(engine, user=SYSTEM_USER, face="import") as s:
        setup_pilot(s)
        run_import(s, SYSTEM_USER, LOG_IMPORTER, small, "liten.csv")
        assert _planned_rows(s, "log_entry") in (None, 0)  # below the threshold: statistics left alone
        run_import(s, SYSTEM_USER, LOG_IMPORTER, large, "stor.csv")
        assert _planned_rows(s, "log_entry") == 119
    with db.session_scope(engine) as s:
        assert _planned_rows(s, "log_entry") == 119  # committed with the import


@contextmanager
def _plans(session: Session) -> Iterator[Callable[[], list[str]]]:
    """Records the SELECTs (and WITH queries) run inside the block; the callable gives SQLite's plan of each, as text."""
    seen: list[tuple[str, Any]] = []
    bind = session.connection()

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):  # WITH RECURSIVE: the distinct lists
            seen.append((statement, parameters))

    event.listen(bind, "before_cursor_execute", record)

    def plans() -> list[str]:
        out = []
        for statement, parameters in seen:
            rows = bind.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            out.append(" | ".join(str(r[-1]) for r in rows))
        return out

    try:
        yield plans
    finally:
        event.remove(bind, "before_cursor_execute", record)


@pytest.fixture
def sqlite_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans were checked by hand on the national data")
    return engine


def test_the_log_page_reads_newest_first_along_its_index(sqlite_engine: Engine, monkeypatch) -> None:
    monkeypatch.setattr(importing, "ANALYZE_AFTER_ROWS", 100)
    with db.session_scope(sqlite_engine, user=SYSTEM_USER, face="import") as s:
        setup_pilot(s)
        run_import(s, SYSTEM_USER, LOG_IMPORTER, _log_csv(400), "logg.csv")
    with db.session_scope(sqlite_engine) as s, _plans(s) as plans:
        page = log_frame(s, SYSTEM_USER, limit=50)
        assert log_count(s, SYSTEM_USER) == 400
        listing = plans()[0]
    assert len(page) == 50 and page["entry_date"].is_monotonic_decreasing
    assert "ix_log_entry_date_id" in listing and "TEMP B-TREE" not in listing  # no sort of every entry


def test_the_audit_filters_read_along_their_indexes(sqlite_engine: Engine) -> None:
    with db.session_scope(sqlite_engine) as s:
        before = audit_count(s, ADMIN)  # loading the municipalities was recorded
    for name, face in (("anna", "app"), ("bertil", "cli"), ("cecilia", "import")):
        with db.session_scope(sqlite_engine, user=CurrentUser(id=None, username=name, role="admin"),
                              face=face) as s:
            for n in range(30):
                record_event(s, "backup", ("database", "site")[n % 2], str(n))
    cases: list[tuple[dict[str, str], str]] = [
        ({"username": "bertil"}, "ix_audit_event_username_at"),
        ({"entity": "site"}, "ix_audit_event_entity_at"),
        ({"face": "import"}, "ix_audit_event_face_at"),
        ({}, "ix_audit_event_at_id"),
    ]
    with db.session_scope(sqlite_engine) as s:
        for filters, index in cases:
            with _plans(s) as plans:
                page = audit_trail(s, ADMIN, limit=10, **filters)
                total = audit_count(s, ADMIN, **filters)
                page_plan, count_plan = plans()
            assert len(page) == 10 and page["id"].is_monotonic_decreasing
            assert total == {"username": 30, "entity": 45, "face": 30}.get(next(iter(filters), ""), before + 90)
            assert index in page_plan and "TEMP B-TREE" not in page_plan, (filters, page_plan)
            assert index in count_plan, (filters, count_plan)
        with _plans(s) as plans:
            assert audit_filter_choices(s, ADMIN)["username"] == ["anna", "bertil", "cecilia"]
            username_plans = [p for p in plans() if "username" in p or "ix_audit_event_username_at" in p]
        assert username_plans and all("ix_audit_event_username_at" in p for p in username_plans)
