"""Database set-up and status: migrate, load the municipality list, report what the database holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

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


def prepare_database(engine: Engine) -> None:
    """Upgrade the schema to the code's head and make sure all 290 municipalities are present."""
    from pilots.municipalities import sync_municipalities

    db.upgrade(engine)
    with db.session_scope(engine, face="system") as session:
        if (session.scalar(select(func.count()).select_from(Municipality)) or 0) < 290:
            sync_municipalities(session)


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
