"""Backup and restore: a restore gives back exactly what was backed up, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from pilots import db
from pilots.access import SYSTEM_USER
from pilots.audit import audit_frame
from pilots.backup import backup, describe, restore
from pilots.errors import WorkbenchError
from pilots.models import AuditEvent, Base, Pilot, Site
from pilots.sites import add_site, create_pilot


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            out[table.name] = sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
    return out


def _fill(engine: Engine) -> None:
    with db.session_scope(engine, user=SYSTEM_USER, face="cli") as s:
        pilot = create_pilot(
            s,
            SYSTEM_USER,
            slug="trygg",
            name="Trygg växt – Skellefteå",
            purpose="Samverkan",
            start_date=date(2025, 1, 1),
            end_date=date(2026, 6, 30),
        )
        add_site(s, SYSTEM_USER, pilot, "2482", contact_role="Samordnare")
        add_site(s, SYSTEM_USER, pilot, "1880")


def test_restore_gives_back_exactly_what_was_backed_up(engine, tmp_path: Path) -> None:
    _fill(engine)
    before = _snapshot(engine)
    file = tmp_path / "kopia.backup"
    info = backup(engine, file)
    assert info.backend == engine.url.get_backend_name() and info.size > 0
    with db.session_scope(engine, face="cli") as s:  # the backup is audited (after the snapshot was taken)
        assert audit_frame(s, entity="database")["action"].tolist() == ["backup"]

    # Change what a careless afternoon could: edit, hard-delete, add.
    with db.session_scope(engine, user=SYSTEM_USER, face="app") as s:
        pilot = s.scalar(select(Pilot))
        pilot.name = "Ändrat namn"
        s.delete(s.scalar(select(Site).where(Site.municipality_code == "1880")))
        add_site(s, SYSTEM_USER, pilot, "1280")
    assert _snapshot(engine) != before

    restore(engine, file)
    after = _snapshot(engine)
    audit_table = AuditEvent.__table__
    action = list(audit_table.c.keys()).index("action")
    restore_rows = [r for r in after["audit_event"] if r[action] == "restore"]
    assert len(restore_rows) == 1
    after["audit_event"] = [r for r in after["audit_event"] if r[action] != "restore"]
    assert after == before  # every table, every row, every value (the backup event is not in its own file)

    # The app keeps working on the restored database: names, sites, new writes with fresh ids.
    with db.session_scope(engine, user=SYSTEM_USER, face="cli") as s:
        pilot = s.scalar(select(Pilot))
        assert pilot.name == "Trygg växt – Skellefteå"
        assert sorted(s.scalars(select(Site.municipality_code))) == ["1880", "2482"]
        add_site(s, SYSTEM_USER, pilot, "0180")


def test_sqlite_backup_is_a_self_contained_sound_database(tmp_path: Path) -> None:
    from pilots.maintenance import prepare_database

    engine = db.make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    prepare_database(engine)
    _fill(engine)
    info = backup(engine, tmp_path / "kopia.db")
    assert info.schema_revision == db.head_revision()
    assert not (tmp_path / "kopia.db-wal").exists()
    copy = db.make_engine(f"sqlite:///{tmp_path / 'kopia.db'}")
    with copy.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(text("SELECT count(*) FROM site")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM municipality")).scalar() == 290
    copy.dispose()
    engine.dispose()


def test_backup_never_overwrites_and_restore_refuses_what_is_not_a_backup(engine, tmp_path: Path) -> None:
    existing = tmp_path / "finns.backup"
    existing.write_bytes(b"viktig fil")
    with pytest.raises(WorkbenchError, match="finns redan"):
        backup(engine, existing)
    assert existing.read_bytes() == b"viktig fil"

    with pytest.raises(WorkbenchError, match="ingen säkerhetskopia"):
        restore(engine, existing)
    with pytest.raises(WorkbenchError, match="finns inte"):
        restore(engine, tmp_path / "saknas.backup")
    with pytest.raises(WorkbenchError, match="Mappen"):
        backup(engine, tmp_path / "ingen-mapp" / "x.backup")


def test_restore_refuses_a_backup_of_the_other_backend(engine, tmp_path: Path) -> None:
    other = tmp_path / "other.backup"
    if engine.url.get_backend_name() == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
    else:
        other.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
        with pytest.raises(WorkbenchError):
            describe(other)  # a truncated SQLite header is not a readable database
        return
    with pytest.raises(WorkbenchError, match="annan|another|postgresql"):
        restore(engine, other)


def test_missing_pg_dump_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from pilots import backup as backup_module

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv(backup_module.ENV_PG_BIN, raising=False)
    with pytest.raises(WorkbenchError, match="pg_dump hittades inte"):
        backup_module._pg_tool("pg_dump")
