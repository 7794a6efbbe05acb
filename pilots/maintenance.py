"""Database set-up and status: migrate, load the municipality list, report what the database holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from pilots import db
from pilots.models import (
    AssessmentRound,
    Meeting,
    Municipality,
    Pilot,
    ReferenceSource,
    Response,
    Site,
    UserAccount,
)


def analyze(connection: Connection, tables: Sequence[str] = ()) -> None:
    """Refresh the query planner's statistics of every table: ``ANALYZE`` (the same word on both backends).

    Without statistics SQLite takes ``deleted_at IS NULL`` on an indexed column for a selective match and
    walks (and sorts) every live row in the country instead of reading one page along the listing's index;
    PostgreSQL plans from default guesses until autovacuum gets round to the table. Runs after
    ``workbench db upgrade`` (``prepare_database``) and after a large import
    (``pilots.importing.run_import``), in the caller's transaction.

    Cheap: on the national benchmark database (220 MB; 444 000 audit events, 583 000 attendance rows)
    SQLite reads every index in ~0.25-0.6 s; PostgreSQL samples at most 30 000 rows per table in ~0.6-1 s.
    SQLite's ``PRAGMA analysis_limit`` would make it cheaper still but its estimates were too coarse to
    steer the log page off the ``deleted_at`` index, and ``PRAGMA optimize`` (SQLite 3.40) analyses only
    tables that this connection's queries needed, so neither is used.
    ``tables``: only these (an import refreshes what it wrote); empty: every table.
    """
    if not tables:
        connection.exec_driver_sql("ANALYZE")
    for table in tables:
        connection.exec_driver_sql(f"ANALYZE {connection.dialect.identifier_preparer.quote(table)}")


def prepare_database(engine: Engine) -> None:
    """Upgrade the schema to the code's head, make sure all 290 municipalities are present and refresh the
    planner statistics (``analyze``: new indexes and an existing database get planned from real counts)."""
    from pilots.municipalities import sync_municipalities

    db.upgrade(engine)
    with db.session_scope(engine, face="system") as session:
        if (session.scalar(select(func.count()).select_from(Municipality)) or 0) < 290:
            sync_municipalities(session)
    with engine.begin() as conn:
        analyze(conn)


def database_status(engine: Engine) -> dict[str, Any]:
    """What the database holds: counts, schema version, reference data loaded."""
    db.check_reachable(engine)
    current = db.current_revision(engine)
    head = db.head_revision()
    status: dict[str, Any] = {
        "database": engine.url.render_as_string(hide_password=True),
        "schema_version": current,
        "code_schema_version": head,
        "schema_current": current == head,
    }
    if current is None:
        return status
    with db.session_scope(engine, face="cli") as session:

        def count(model: Any, *where: Any) -> int:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        status["counts"] = {
            "pilots": count(Pilot, Pilot.deleted_at.is_(None)),
            "sites": count(Site, Site.deleted_at.is_(None)),
            "meetings": count(Meeting, Meeting.deleted_at.is_(None)),
            "assessment_rounds": count(AssessmentRound, AssessmentRound.deleted_at.is_(None)),
            "assessments_submitted": count(Response, Response.status == "submitted"),
            "users": count(UserAccount),
            "municipalities": count(Municipality),
        }
        status["demo_data"] = bool(count(Pilot, Pilot.is_demo.is_(True)))
        status["reference_data"] = [
            {"kind": r.kind, "source": r.source, "year": r.year, "rows": r.rows}
            for r in session.scalars(select(ReferenceSource).order_by(ReferenceSource.kind))
        ]
        status["reference_coverage"] = {
            "population": count(Municipality, Municipality.population.isnot(None)),
            "skr_group_2017": count(Municipality, Municipality.skr_group_2017_code.isnot(None)),
            "skr_group_2023": count(Municipality, Municipality.skr_group_2023_code.isnot(None)),
        }
    return status
