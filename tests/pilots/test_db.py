"""Storage: migrations on both backends, schema checks, clear errors for bad URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from pilots import db
from pilots.errors import SchemaBehindError, WorkbenchError
from pilots.models import Base


def test_migrations_have_a_single_head() -> None:
    script = ScriptDirectory.from_config(db.alembic_config())
    assert len(script.get_heads()) == 1


def test_migrated_schema_matches_the_models(engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert db.current_revision(engine) == db.head_revision()
    db.ensure_schema_current(engine)  # does not raise


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def test_empty_database_is_refused_with_what_to_run(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaBehindError, match="workbench db upgrade"):
        db.ensure_schema_current(engine)


def test_schema_behind_the_code_is_refused(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    with pytest.raises(SchemaBehindError, match="äldre än koden"):
        db.ensure_schema_current(engine)


def test_upgrade_on_a_fresh_sqlite_file_and_downgrade_roundtrip(tmp_path: Path) -> None:
    from alembic import command

    engine = db.make_engine(f"sqlite:///{tmp_path / 'rt.db'}")
    db.upgrade(engine)
    command.downgrade(db.alembic_config(engine), "base")
    assert "pilot" not in inspect(engine).get_table_names()
    db.upgrade(engine)
    assert "pilot" in inspect(engine).get_table_names()


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a url", "Ogiltig databas-URL"),
        ("mysql://root@127.0.0.1/test", "stöds inte"),
    ],
)
def test_malformed_database_url_gets_one_clear_line(url: str, message: str) -> None:
    with pytest.raises(WorkbenchError, match=message):
        db.make_engine(url)


def test_unreachable_database_gets_one_clear_line() -> None:
    engine = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(WorkbenchError, match="Kan inte nå databasen"):
        db.check_reachable(engine)


def test_default_database_is_a_file_under_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(db.ENV_URL, raising=False)
    monkeypatch.setenv(db.ENV_DATA_DIR, str(tmp_path))
    assert db.database_url() == f"sqlite:///{tmp_path / 'workbench.db'}"
    monkeypatch.setenv(db.ENV_URL, "postgresql://x@127.0.0.1/y")
    assert db.database_url() == "postgresql://x@127.0.0.1/y"


def test_session_scope_rolls_back_on_error(engine) -> None:
    from pilots.models import RegionGrouping

    with pytest.raises(RuntimeError):
        with db.session_scope(engine) as session:
            session.add(RegionGrouping(name="FoU-regioner"))
            session.flush()
            raise RuntimeError("boom")
    with db.session_scope(engine) as session:
        assert session.query(RegionGrouping).count() == 0


def test_insert_rows_writes_what_a_core_insert_would_with_defaults_dates_and_swedish_text(engine) -> None:
    from datetime import date

    from sqlalchemy import select

    from pilots.access import SYSTEM_USER
    from pilots.meetings import create_actor, create_forum
    from pilots.models import Meeting, MeetingAction, utcnow
    from pilots.sites import add_site, create_pilot

    with db.session_scope(engine, user=SYSTEM_USER) as s:
        pilot = create_pilot(s, SYSTEM_USER, slug="p", name="P", purpose="", start_date=date(2025, 1, 1),
                             end_date=date(2025, 12, 31))
        site = add_site(s, SYSTEM_USER, pilot, "2482")
        actor = create_actor(s, SYSTEM_USER, site.id, name="Elevhälsan", sector="elevhälsa", level="operativ").id
        forum = create_forum(s, SYSTEM_USER, site.id, name="Grupp", level="operativ", cadence="manadsvis",
                             purpose="Samordna", member_ids=[actor]).id
        now = utcnow()
        db.insert_rows(s.connection(), Meeting.__table__, [
            {"forum_id": forum, "meeting_date": date(2025, 3, 4), "purpose": "Lägesbild för årskurs 7–9",
             "agenda": "", "decisions": "", "notes": "", "created_at": now, "updated_at": now},
        ])
        meeting = s.scalars(select(Meeting)).one()
        db.insert_rows(s.connection(), MeetingAction.__table__, [
            {"meeting_id": meeting.id, "description": "Bjud in föräldraföreningen", "owner_actor_id": actor,
             "due_date": date(2025, 4, 1)},
            {"meeting_id": meeting.id, "description": "Följ upp", "owner_actor_id": actor, "due_date": None},
        ])
        actions = s.scalars(select(MeetingAction).order_by(MeetingAction.id)).all()
        assert meeting.meeting_date == date(2025, 3, 4) and meeting.purpose == "Lägesbild för årskurs 7–9"
        assert meeting.version == 1 and meeting.deleted_at is None  # scalar default, no value
        assert [(a.description, a.due_date, a.status, a.version) for a in actions] == [
            ("Bjud in föräldraföreningen", date(2025, 4, 1), "open", 1),
            ("Följ upp", None, "open", 1),
        ]
        with pytest.raises(ValueError, match="created_at"):  # computed defaults must be given
            db.insert_rows(s.connection(), Meeting.__table__, [{"forum_id": forum, "meeting_date": date(2025, 5, 6)}])


def test_insert_rows_takes_value_tuples_with_defaults_and_booleans(engine) -> None:
    from datetime import date

    from sqlalchemy import select

    from pilots.access import SYSTEM_USER
    from pilots.meetings import create_actor, create_forum
    from pilots.models import Meeting, MeetingAction, MeetingAttendance, utcnow
    from pilots.sites import add_site, create_pilot

    with db.session_scope(engine, user=SYSTEM_USER) as s:
        pilot = create_pilot(s, SYSTEM_USER, slug="p", name="P", purpose="", start_date=date(2025, 1, 1),
                             end_date=date(2025, 12, 31))
        site = add_site(s, SYSTEM_USER, pilot, "2482")
        actors = [create_actor(s, SYSTEM_USER, site.id, name=n, sector="elevhälsa", level="operativ").id
                  for n in ("Elevhälsan", "Polisen")]
        forum = create_forum(s, SYSTEM_USER, site.id, name="Grupp", level="operativ", cadence="manadsvis",
                             purpose="Samordna", member_ids=actors).id
        now, conn = utcnow(), s.connection()
        db.insert_rows(conn, Meeting.__table__, [(forum, date(2025, 3, 4), "Lägesbild för årskurs 7–9", now, now)],
                       ("forum_id", "meeting_date", "purpose", "created_at", "updated_at"))
        meeting = s.scalars(select(Meeting)).one()
        db.insert_rows(conn, MeetingAttendance.__table__, [(meeting.id, actors[0], True, True),
                                                           (meeting.id, actors[1], True, False)],
                       ("meeting_id", "actor_id", "invited", "attended"))
        db.insert_rows(conn, MeetingAction.__table__, [(meeting.id, "Följ upp", actors[1], None)],
                       ("meeting_id", "description", "owner_actor_id", "due_date"))
        assert (meeting.meeting_date, meeting.purpose, meeting.agenda, meeting.version) == (
            date(2025, 3, 4), "Lägesbild för årskurs 7–9", "", 1)  # scalar defaults fill what is left out
        attendance = s.execute(select(MeetingAttendance.actor_id, MeetingAttendance.invited,
                                      MeetingAttendance.attended).order_by(MeetingAttendance.actor_id)).all()
        assert [tuple(r) for r in attendance] == [(actors[0], True, True), (actors[1], True, False)]
        action = s.scalars(select(MeetingAction)).one()
        assert (action.description, action.due_date, action.status, action.version) == ("Följ upp", None, "open", 1)
        with pytest.raises(ValueError, match="created_at"):  # computed defaults must be given
            db.insert_rows(conn, Meeting.__table__, [(forum, date(2025, 5, 6))], ("forum_id", "meeting_date"))
        with pytest.raises(ValueError, match="no column datum"):
            db.insert_rows(conn, MeetingAction.__table__, [(meeting.id, date(2025, 5, 6))], ("meeting_id", "datum"))
        with pytest.raises(ValueError, match="2 values"):
            db.insert_rows(conn, MeetingAttendance.__table__, [(meeting.id, actors[0], True)],
                           ("meeting_id", "actor_id"))
