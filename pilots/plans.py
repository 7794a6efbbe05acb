"""Each site's plan: phases and milestones with planned and actual dates, and the timeline state of each milestone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from pilots.access import CurrentUser, require_site, site_read_clause
from pilots.errors import AccessDenied, Problem, ValidationError
from pilots.importing import ImportFile, ImportResult, SimpleImporter
from pilots.models import Milestone, Municipality, Phase, Pilot, Site
from pilots.privacy import check_fields
from pilots.sites import SiteResolver, date_in_site_period
from pilots.tabular import Column, RecordSpec

DEFAULT_PHASES = ("Kartläggning", "Beslut", "Bygga strukturer", "Genomförande", "Uppföljning")
MILESTONE_STATUSES = ("planned", "in_progress", "done", "cancelled")
STATUS_LABELS = {
    "planned": ("planerad", "planned"),
    "in_progress": ("pågår", "in progress"),
    "done": ("klar", "done"),
    "cancelled": ("inställd", "cancelled"),
}
STATES = ("done", "late", "on_time", "upcoming", "cancelled")
STATE_LABELS = {
    "done": ("Klar", "Done"),
    "late": ("Försenad", "Late"),
    "on_time": ("I tid", "On time"),
    "upcoming": ("Kommande", "Upcoming"),
    "cancelled": ("Inställd", "Cancelled"),
}


def status_label(status: str, lang: str = "sv") -> str:
    sv, en = STATUS_LABELS.get(status, (status, status))
    return en if lang == "en" else sv


def state_label(state: str, lang: str = "sv") -> str:
    sv, en = STATE_LABELS.get(state, (state, state))
    return en if lang == "en" else sv


def milestone_state(planned: date, actual: date | None, status: str, today: date) -> str:
    """done (has an actual date or status done); late (planned date passed, not done); on_time (work has
    started and the planned date is still ahead); upcoming (not started, date ahead); cancelled."""
    if status == "cancelled":
        return "cancelled"
    if actual is not None or status == "done":
        return "done"
    if planned < today:
        return "late"
    return "on_time" if status == "in_progress" else "upcoming"


def _status_problems(status: str, planned: date | None, actual: date | None, today: date, where: str) -> list[Problem]:
    problems = []
    if status not in MILESTONE_STATUSES:
        problems.append(Problem(where, f"okänd status {status!r}; välj {', '.join(MILESTONE_STATUSES)}"))
    if actual is not None and actual > today:
        problems.append(Problem(where, f"faktiskt datum {actual} ligger i framtiden (actual date in the future)"))
    return problems


def add_phase(session: Session, user: CurrentUser, site_id: int, name: str, *, position: int = 0,
              planned_start: date | None = None, planned_end: date | None = None,
              actual_start: date | None = None, actual_end: date | None = None) -> Phase:
    """Add a phase to a site's plan (e.g. Kartläggning), with planned and actual periods."""
    site = require_site(session, user, site_id, write=True)
    check_fields({"name": name})
    problems = []
    if not name.strip():
        problems.append(Problem("name", "fasen behöver ett namn"))
    if planned_start and planned_end and planned_end < planned_start:
        problems.append(Problem("planned_end", f"planerat slut {planned_end} före planerad start {planned_start}"))
    if session.scalar(select(Phase.id).where(Phase.site_id == site.id, Phase.name == name,
                                             Phase.deleted_at.is_(None))):
        problems.append(Problem("name", f"platsen har redan en fas {name!r}"))
    if problems:
        raise ValidationError(problems)
    phase = Phase(site_id=site.id, name=name, position=position, planned_start=planned_start,
                  planned_end=planned_end, actual_start=actual_start, actual_end=actual_end)
    session.add(phase)
    session.flush()
    return phase


def add_milestone(session: Session, user: CurrentUser, site_id: int, name: str, planned_date: date, *,
                  actual_date: date | None = None, status: str = "planned", phase_id: int | None = None,
                  notes: str = "", today: date | None = None) -> Milestone:
    """Add a milestone with its planned date (and the actual date once reached)."""
    site = require_site(session, user, site_id, write=True)
    pilot = session.get(Pilot, site.pilot_id)
    assert pilot is not None
    check_fields({"name": name, "notes": notes})
    today = today or date.today()
    if actual_date is not None and status == "planned":
        status = "done"
    problems = _status_problems(status, planned_date, actual_date, today, "status")
    date_in_site_period(site, pilot, planned_date, "planned_date", problems)
    date_in_site_period(site, pilot, actual_date, "actual_date", problems)
    if not name.strip():
        problems.append(Problem("name", "milstolpen behöver ett namn"))
    if phase_id is not None and session.scalar(select(Phase.id).where(Phase.id == phase_id,
                                                                       Phase.site_id == site.id)) is None:
        problems.append(Problem("phase_id", f"fas {phase_id} hör inte till den här platsen"))
    if problems:
        raise ValidationError(problems)
    milestone = Milestone(site_id=site.id, name=name, planned_date=planned_date, actual_date=actual_date,
                          status=status, phase_id=phase_id, notes=notes)
    session.add(milestone)
    session.flush()
    return milestone


def update_milestone(session: Session, user: CurrentUser, milestone_id: int, expected_version: int,
                     changes: dict[str, Any], today: date | None = None) -> Milestone:
    """Change a milestone (e.g. mark it done with its actual date); refused on a version conflict."""
    from pilots.editing import update_record

    milestone = session.get(Milestone, milestone_id)
    if milestone is not None and milestone.deleted_at is None:
        site = require_site(session, user, milestone.site_id, write=True)
        pilot = session.get(Pilot, site.pilot_id)
        assert pilot is not None
        planned = changes.get("planned_date", milestone.planned_date)
        actual = changes.get("actual_date", milestone.actual_date)
        status = changes.get("status", milestone.status)
        if actual is not None and status in ("planned", "in_progress"):
            changes = {**changes, "status": "done"}
            status = "done"
        problems = _status_problems(status, planned, actual, today or date.today(), "status")
        date_in_site_period(site, pilot, planned, "planned_date", problems)
        date_in_site_period(site, pilot, actual, "actual_date", problems)
        if problems:
            raise ValidationError(problems)
    return update_record(session, user, Milestone, milestone_id, expected_version, changes)  # type: ignore[no-any-return]


def _site_query(user: CurrentUser) -> Any:
    if not user.sees_site_level_data:
        raise AccessDenied("Rollen presentatör ser bara sammanställda figurer, inte enskilda kommuners planer.")
    return site_read_clause(user)


PHASE_COLUMNS = ["phase_id", "site_id", "municipality_name", "pilot_slug", "name", "position", "planned_start",
                 "planned_end", "actual_start", "actual_end", "version"]


def phases_frame(session: Session, user: CurrentUser, site_id: int | None = None) -> pd.DataFrame:
    """The phases of the sites ``user`` may read, in plan order."""
    stmt = (select(Phase, Site, Municipality, Pilot).join(Site, Site.id == Phase.site_id)
            .join(Pilot, Pilot.id == Site.pilot_id).join(Municipality, Municipality.code == Site.municipality_code)
            .where(Phase.deleted_at.is_(None), Site.deleted_at.is_(None), _site_query(user))
            .order_by(Pilot.slug, Municipality.name, Phase.position, Phase.planned_start))
    if site_id is not None:
        stmt = stmt.where(Phase.site_id == site_id)
    rows = [{"phase_id": p.id, "site_id": s.id, "municipality_name": m.name, "pilot_slug": pi.slug, "name": p.name,
             "position": p.position, "planned_start": p.planned_start, "planned_end": p.planned_end,
             "actual_start": p.actual_start, "actual_end": p.actual_end, "version": p.version}
            for p, s, m, pi in session.execute(stmt)]
    return pd.DataFrame(rows, columns=PHASE_COLUMNS)


TIMELINE_COLUMNS = ["milestone_id", "site_id", "site_label", "municipality_code", "municipality_name",
                    "pilot_slug", "pilot_name", "is_demo", "phase", "name", "planned_date", "actual_date", "status",
                    "state", "delay_days", "notes", "version"]


def timeline_frame(session: Session, user: CurrentUser, site_id: int | None = None,
                   today: date | None = None) -> pd.DataFrame:
    """Every readable milestone with its computed state (done, late, on_time, upcoming, cancelled).

    ``delay_days``: actual minus planned for done milestones, today minus planned for late ones.
    """
    today = today or date.today()
    stmt = (select(Milestone, Site, Municipality, Pilot, Phase.name)
            .join(Site, Site.id == Milestone.site_id).join(Pilot, Pilot.id == Site.pilot_id)
            .join(Municipality, Municipality.code == Site.municipality_code)
            .outerjoin(Phase, Phase.id == Milestone.phase_id)
            .where(Milestone.deleted_at.is_(None), Site.deleted_at.is_(None), Pilot.deleted_at.is_(None),
                   _site_query(user))
            .order_by(Pilot.slug, Municipality.name, Milestone.planned_date))
    if site_id is not None:
        stmt = stmt.where(Milestone.site_id == site_id)
    rows = []
    for ms, site, m, pilot, phase_name in session.execute(stmt):
        state = milestone_state(ms.planned_date, ms.actual_date, ms.status, today)
        delay = None
        if state == "done" and ms.actual_date is not None:
            delay = (ms.actual_date - ms.planned_date).days
        elif state == "late":
            delay = (today - ms.planned_date).days
        rows.append({"milestone_id": ms.id, "site_id": site.id, "site_label": f"{m.name} ({pilot.name})",
                     "municipality_code": m.code, "municipality_name": m.name, "pilot_slug": pilot.slug,
                     "pilot_name": pilot.name, "is_demo": pilot.is_demo, "phase": phase_name or "",
                     "name": ms.name, "planned_date": ms.planned_date, "actual_date": ms.actual_date,
                     "status": ms.status, "state": state, "delay_days": delay, "notes": ms.notes,
                     "version": ms.version})
    return pd.DataFrame(rows, columns=TIMELINE_COLUMNS)


def timeline_summary(timeline: pd.DataFrame) -> pd.DataFrame:
    """Milestones per site and state (a column per state, counts), from a ``timeline_frame``."""
    if timeline.empty:
        return pd.DataFrame(columns=["site_label", *STATES])
    counts = timeline.groupby(["site_label", "state"]).size().unstack(fill_value=0)
    for state in STATES:
        if state not in counts.columns:
            counts[state] = 0
    return counts[list(STATES)].reset_index()


# --- import / export ------------------------------------------------------------------------------

_STATUS_SV = tuple(sv for sv, _ in STATUS_LABELS.values())
_STATUS_FROM_SV = {sv: code for code, (sv, _) in STATUS_LABELS.items()}

MILESTONES_SPEC = RecordSpec(
    kind="milestones",
    title_sv="Faser och milstolpar",
    title_en="Phases and milestones",
    columns=(
        Column("pilot", "text", True, doc_sv="Pilotprojektets id, t.ex. tryggvaxt.", doc_en="The pilot's id.",
               example="tryggvaxt", max_length=60),
        Column("kommunkod", "municipality_code", True, doc_sv="Platsens kommunkod.",
               doc_en="The site's municipality code.", example="2482"),
        Column("fas", "text", doc_sv="Fasen milstolpen hör till; en ny fas skapas om den inte finns.",
               doc_en="The phase the milestone belongs to; created when missing.", example="Kartläggning"),
        Column("milstolpe", "text", True, doc_sv="Milstolpens namn (unikt per plats).",
               doc_en="Milestone name (unique per site).", example="Kartläggning klar"),
        Column("planerat_datum", "date", True, doc_sv="Planerat datum.", doc_en="Planned date.",
               example="2025-03-31"),
        Column("faktiskt_datum", "date", doc_sv="Datum då milstolpen nåddes (tomt om inte än).",
               doc_en="Date reached (empty if not yet).", example=""),
        Column("status", "choice", choices=_STATUS_SV, doc_sv="planerad, pågår, klar eller inställd; "
               "tomt = planerad (klar om faktiskt datum finns).",
               doc_en="planerad (planned), pågår (in progress), klar (done), inställd (cancelled).",
               example="planerad"),
        Column("anteckning", "free_text", doc_sv="Kort anteckning (inga personuppgifter).",
               doc_en="Short note (no personal data).", example=""),
    ),
    key=("pilot", "kommunkod", "milstolpe"),
)


def _apply_milestones(session: Session, user: CurrentUser, data: ImportFile, today: date | None = None
                      ) -> ImportResult:
    today = today or date.today()
    problems: list[Problem] = []
    resolver = SiteResolver(session, user)
    plan: list[tuple[Site, dict[str, Any], Milestone | None]] = []
    for row in data.rows:
        v = row.values
        pilot = resolver.pilot(v["pilot"], data.where(row, "pilot"), problems)
        site = resolver.site(pilot, v["kommunkod"], data.where(row, "kommunkod"), problems)
        if site is None or pilot is None:
            continue
        status = _STATUS_FROM_SV.get(v["status"] or "", "planned")
        if v["faktiskt_datum"] is not None and status == "planned":
            status = "done"
        date_in_site_period(site, pilot, v["planerat_datum"], data.where(row, "planerat_datum"), problems)
        date_in_site_period(site, pilot, v["faktiskt_datum"], data.where(row, "faktiskt_datum"), problems)
        if v["faktiskt_datum"] is not None and v["faktiskt_datum"] > today:
            problems.append(Problem(data.where(row, "faktiskt_datum"),
                                    f"{v['faktiskt_datum']} ligger i framtiden (actual date in the future)"))
        existing = session.scalar(select(Milestone).where(Milestone.site_id == site.id,
                                                          Milestone.name == v["milstolpe"],
                                                          Milestone.deleted_at.is_(None)))
        plan.append((site, {**v, "status": status}, existing))
    if problems:
        raise ValidationError(problems, source=data.filename)
    result = ImportResult("milestones", data.filename)
    phases: dict[tuple[int, str], int] = {}
    for site, v, existing in plan:
        phase_id = None
        if v["fas"]:
            key = (site.id, v["fas"])
            if key not in phases:
                found = session.scalar(select(Phase.id).where(Phase.site_id == site.id, Phase.name == v["fas"],
                                                              Phase.deleted_at.is_(None)))
                if found is None:
                    position = DEFAULT_PHASES.index(v["fas"]) if v["fas"] in DEFAULT_PHASES else 99
                    found = add_phase(session, user, site.id, v["fas"], position=position).id
                    result.notes.append(f"ny fas {v['fas']}")
                phases[key] = found
            phase_id = phases[key]
        fields = {"phase_id": phase_id, "planned_date": v["planerat_datum"], "actual_date": v["faktiskt_datum"],
                  "status": v["status"], "notes": v["anteckning"] or ""}
        if existing is None:
            session.add(Milestone(site_id=site.id, name=v["milstolpe"], **fields))
            result.created += 1
        else:
            for key2, value in fields.items():
                setattr(existing, key2, value)
            result.updated += 1
    session.flush()
    return result


def export_milestones(session: Session, user: CurrentUser) -> pd.DataFrame:
    """Every readable milestone in the template's columns."""
    frame = timeline_frame(session, user)
    return pd.DataFrame({
        "pilot": frame["pilot_slug"], "kommunkod": frame["municipality_code"], "fas": frame["phase"],
        "milstolpe": frame["name"], "planerat_datum": frame["planned_date"], "faktiskt_datum": frame["actual_date"],
        "status": [status_label(s) for s in frame["status"]], "anteckning": frame["notes"],
    })


MILESTONES_IMPORTER = SimpleImporter("milestones", MILESTONES_SPEC, _apply_milestones, export_fn=export_milestones)
