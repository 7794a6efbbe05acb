"""Measurement rounds: one site answering one instrument version (baseline, follow-ups), and their state.

State of a round on a given day (``rounds_frame``):

- ``done``: the round is closed, its closing date has passed, or every invitation sent for it has
  been answered and submitted;
- ``due``: not done and the due date has passed (answers are late);
- ``open``: status open and the due date has not passed;
- ``upcoming``: status planned and the due date has not passed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pilots.access import CurrentUser, readable_site_ids, require_site
from pilots.errors import AccessDenied, ConflictError, NotFound, Problem, ValidationError, WorkbenchError
from pilots.models import AssessmentRound, InstrumentVersion, Invitation, Municipality, Pilot, Response, Site
from pilots.privacy import check_fields

ROUND_STATUSES = ("planned", "open", "closed")
ROUND_STATES = ("due", "open", "done", "upcoming")
STATE_LABELS = {
    "due": ("Försenad", "Due"),
    "open": ("Öppen", "Open"),
    "done": ("Klar", "Done"),
    "upcoming": ("Kommande", "Upcoming"),
}
ROUND_COLUMNS = [
    "round_id", "site_id", "pilot_slug", "pilot_name", "municipality_code", "municipality_name",
    "instrument_version_id", "instrument_id", "instrument_version", "instrument_status", "label",
    "due_date", "closes_on", "status", "n_submitted", "n_drafts", "n_invited", "n_invitations_used",
    "state", "version",
]  # fmt: skip


def round_state(
    status: str, due_date: date, closes_on: date | None, n_invited: int, n_invitations_used: int, today: date
) -> str:
    """The state shown for a round (see the module docstring)."""
    if status == "closed" or (closes_on is not None and closes_on < today):
        return "done"
    if n_invited > 0 and n_invitations_used >= n_invited:
        return "done"
    if due_date < today:
        return "due"
    return "open" if status == "open" else "upcoming"


def create_round(
    session: Session,
    user: CurrentUser,
    site_id: int,
    instrument_version_id: int,
    label: str,
    due_date: date,
    *,
    closes_on: date | None = None,
    status: str = "open",
) -> AssessmentRound:
    """Create a round at a site (admins and the pilot's researchers)."""
    require_site(session, user, site_id, write=True)
    problems: list[Problem] = []
    label = (label or "").strip()
    if not label:
        problems.append(
            Problem("label", "ange en etikett för omgången, t.ex. Nollmätning eller Uppföljning 1")
        )
    elif len(label) > 100:
        problems.append(Problem("label", "etiketten får vara högst 100 tecken"))
    if status not in ROUND_STATUSES:
        problems.append(Problem("status", f"okänd status {status!r}; välj {', '.join(ROUND_STATUSES)}"))
    if closes_on is not None and closes_on < due_date:
        problems.append(
            Problem("closes_on", f"stängningsdatum {closes_on} ligger före sista svarsdag {due_date}")
        )
    version = session.get(InstrumentVersion, instrument_version_id)
    if version is None:
        problems.append(
            Problem(
                "instrument_version_id", f"det finns ingen instrumentversion med id {instrument_version_id}"
            )
        )
    elif label:
        clash = session.scalar(
            select(AssessmentRound.id)
            .join(InstrumentVersion, InstrumentVersion.id == AssessmentRound.instrument_version_id)
            .where(
                AssessmentRound.site_id == site_id,
                AssessmentRound.deleted_at.is_(None),
                InstrumentVersion.instrument_id == version.instrument_id,
                AssessmentRound.label == label,
            )
        )
        if clash is not None:
            problems.append(
                Problem("label", f"platsen har redan en omgång {label!r} för {version.instrument_id}")
            )
    if problems:
        raise ValidationError(problems)
    check_fields({"label": label})
    row = AssessmentRound(
        site_id=site_id,
        instrument_version_id=instrument_version_id,
        label=label,
        due_date=due_date,
        closes_on=closes_on,
        status=status,
    )
    session.add(row)
    session.flush()
    return row


def get_round(session: Session, user: CurrentUser, round_id: int, *, write: bool = False) -> AssessmentRound:
    """A round ``user`` may read (or manage, with ``write``)."""
    row = session.scalar(
        select(AssessmentRound).where(AssessmentRound.id == round_id, AssessmentRound.deleted_at.is_(None))
    )
    if row is None:
        raise NotFound(f"Det finns ingen mätomgång med id {round_id}.")
    require_site(session, user, row.site_id, write=write)
    return row


def set_round_status(
    session: Session, user: CurrentUser, round_id: int, status: str, *, expected_version: int | None = None
) -> AssessmentRound:
    """Open, close or re-plan a round (admins and the pilot's researchers)."""
    if status not in ROUND_STATUSES:
        raise ValidationError(Problem("status", f"okänd status {status!r}; välj {', '.join(ROUND_STATUSES)}"))
    row = get_round(session, user, round_id, write=True)
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(
            "Någon annan har ändrat omgången sedan du öppnade den. Ladda om sidan och försök igen."
        )
    row.status = status
    session.flush()
    return row


def require_answerable(row: AssessmentRound, today: date | None = None) -> None:
    """Refuse answering a round that is not open, or whose closing date has passed."""
    today = today or date.today()
    if row.status != "open":
        word = "stängd" if row.status == "closed" else "inte öppnad ännu"
        raise WorkbenchError(f"Mätomgången {row.label!r} är {word}; svar kan inte lämnas.")
    if row.closes_on is not None and row.closes_on < today:
        raise WorkbenchError(f"Mätomgången {row.label!r} stängde {row.closes_on}; svar kan inte lämnas.")


def may_answer(user: CurrentUser, site: Site) -> bool:
    """Municipality users answer for their own municipality; admins and the pilot's researchers facilitate."""
    if user.role == "municipality":
        return user.municipality_code == site.municipality_code
    return user.role == "admin" or (user.role == "researcher" and site.pilot_id in user.pilot_ids)


def require_may_answer(session: Session, user: CurrentUser, row: AssessmentRound) -> None:
    site = require_site(session, user, row.site_id)
    if not may_answer(user, site):
        raise AccessDenied("Du får läsa men inte besvara den här kommunens självskattning.")


def _counts(session: Session, round_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {
        rid: {"submitted": 0, "draft": 0, "invited": 0, "used": 0} for rid in round_ids
    }
    if not round_ids:
        return out
    for rid, status, n in session.execute(
        select(Response.round_id, Response.status, func.count())
        .where(Response.round_id.in_(round_ids))
        .group_by(Response.round_id, Response.status)
    ):
        out[rid]["submitted" if status == "submitted" else "draft"] += int(n)
    for rid, n, used in session.execute(
        select(Invitation.round_id, func.count(), func.count(Invitation.used_at))
        .where(Invitation.round_id.in_(round_ids))
        .group_by(Invitation.round_id)
    ):
        out[rid]["invited"] = int(n)
        out[rid]["used"] = int(used)
    return out


def rounds_frame(
    session: Session, user: CurrentUser, site_id: int | None = None, *, today: date | None = None
) -> pd.DataFrame:
    """The rounds at the sites ``user`` may read, with response counts and their state today."""
    if not user.sees_site_level_data:
        return pd.DataFrame(columns=ROUND_COLUMNS)
    today = today or date.today()
    # Plain columns, not ORM objects: thousands of rounds at national scale.
    stmt = (
        select(
            AssessmentRound.id, Site.id, Pilot.slug, Pilot.name, Municipality.code, Municipality.name,
            InstrumentVersion.id, InstrumentVersion.instrument_id, InstrumentVersion.version,
            InstrumentVersion.status, AssessmentRound.label, AssessmentRound.due_date,
            AssessmentRound.closes_on, AssessmentRound.status, AssessmentRound.version,
        )
        .join(InstrumentVersion, InstrumentVersion.id == AssessmentRound.instrument_version_id)
        .join(Site, Site.id == AssessmentRound.site_id)
        .join(Pilot, Pilot.id == Site.pilot_id)
        .join(Municipality, Municipality.code == Site.municipality_code)
        .where(AssessmentRound.deleted_at.is_(None), AssessmentRound.site_id.in_(readable_site_ids(user)))
        .order_by(Municipality.name, InstrumentVersion.instrument_id, AssessmentRound.due_date)
    )
    if site_id is not None:
        stmt = stmt.where(AssessmentRound.site_id == site_id)
    rows = session.execute(stmt).all()
    counts = _counts(session, [r[0] for r in rows])
    records: list[dict[str, Any]] = []
    for (rid, sid, p_slug, p_name, m_code, m_name, ver_id, instrument_id, ver_version, ver_status, label, due,
         closes_on, status, version) in rows:
        c = counts[rid]
        records.append(
            {
                "round_id": rid,
                "site_id": sid,
                "pilot_slug": p_slug,
                "pilot_name": p_name,
                "municipality_code": m_code,
                "municipality_name": m_name,
                "instrument_version_id": ver_id,
                "instrument_id": instrument_id,
                "instrument_version": ver_version,
                "instrument_status": ver_status,
                "label": label,
                "due_date": due,
                "closes_on": closes_on,
                "status": status,
                "n_submitted": c["submitted"],
                "n_drafts": c["draft"],
                "n_invited": c["invited"],
                "n_invitations_used": c["used"],
                "state": round_state(status, due, closes_on, c["invited"], c["used"], today),
                "version": version,
            }
        )
    return pd.DataFrame(records, columns=ROUND_COLUMNS)


def round_site_ids(session: Session, user: CurrentUser, *, open_on: date | None = None) -> list[int]:
    """The readable sites that have rounds (only rounds open for answers on ``open_on``, when given).

    Pages list these sites and then read one site's rounds with ``rounds_frame``, so a page costs the
    same whether the country has ten rounds or ten thousand.
    """
    if not user.sees_site_level_data:
        return []
    stmt = select(AssessmentRound.site_id).distinct().where(
        AssessmentRound.deleted_at.is_(None), AssessmentRound.site_id.in_(readable_site_ids(user))
    )
    if open_on is not None:
        stmt = stmt.where(
            AssessmentRound.status == "open",
            (AssessmentRound.closes_on.is_(None)) | (AssessmentRound.closes_on >= open_on),
        )
    return sorted(int(i) for i in session.scalars(stmt))


def find_round(
    session: Session, user: CurrentUser, site_id: int, instrument_id: str, label: str
) -> AssessmentRound:
    """The round with ``label`` at a site for an instrument (any version)."""
    require_site(session, user, site_id)
    rows = session.scalars(
        select(AssessmentRound)
        .join(InstrumentVersion, InstrumentVersion.id == AssessmentRound.instrument_version_id)
        .where(
            AssessmentRound.site_id == site_id,
            AssessmentRound.deleted_at.is_(None),
            InstrumentVersion.instrument_id == instrument_id,
        )
    ).all()
    for row in rows:
        if row.label == label:
            return row
    known = ", ".join(repr(r.label) for r in rows) or "(inga)"
    raise NotFound(f"Platsen har ingen omgång {label!r} för {instrument_id}; omgångar: {known}.")


def find_site(
    session: Session, user: CurrentUser, municipality_code: str, pilot_slug: str | None = None
) -> Site:
    """The site of a municipality (in ``pilot_slug`` when the municipality takes part in several pilots)."""
    stmt = (
        select(Site)
        .join(Pilot, Pilot.id == Site.pilot_id)
        .where(
            Site.municipality_code == municipality_code,
            Site.deleted_at.is_(None),
            Site.id.in_(readable_site_ids(user)),
        )
    )
    if pilot_slug:
        stmt = stmt.where(Pilot.slug == pilot_slug)
    sites = session.scalars(stmt).all()
    if not sites:
        where = f" i pilotprojektet {pilot_slug}" if pilot_slug else ""
        raise NotFound(f"Kommunen {municipality_code} är inte en plats{where} som du kan se.")
    if len(sites) > 1:
        raise ValidationError(
            Problem("--pilot", f"kommunen {municipality_code} är med i flera piloter; ange vilken")
        )
    return sites[0]
