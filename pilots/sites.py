"""Pilots and their sites: create, read (scoped to the user), with each site's reference context."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from pilots.access import CurrentUser, pilot_read_clause, require_role, site_read_clause
from pilots.errors import NotFound, Problem, ValidationError
from pilots.models import Municipality, Pilot, PilotResearcher, Site
from pilots.municipalities import get_municipality
from pilots.privacy import check_fields
from pilots.regions import size_class

PILOT_KINDS = ("pilot", "comparison", "development_grant")


def create_pilot(
    session: Session,
    user: CurrentUser,
    *,
    slug: str,
    name: str,
    purpose: str,
    start_date: date,
    end_date: date,
    kind: str = "pilot",
    is_demo: bool = False,
) -> Pilot:
    """Create a pilot (admins and researchers); the creating researcher is assigned to it."""
    require_role(user, "admin", "researcher")
    problems = []
    if end_date < start_date:
        problems.append(Problem("end_date", f"slutdatum {end_date} ligger före startdatum {start_date}"))
    if kind not in PILOT_KINDS:
        problems.append(Problem("kind", f"okänd typ {kind!r}; välj {', '.join(PILOT_KINDS)}"))
    if session.scalar(select(Pilot.id).where(Pilot.slug == slug)):
        problems.append(Problem("slug", f"ett pilotprojekt med id {slug!r} finns redan"))
    if problems:
        raise ValidationError(problems)
    check_fields({"slug": slug, "name": name, "purpose": purpose})
    pilot = Pilot(slug=slug, name=name, purpose=purpose, start_date=start_date, end_date=end_date, kind=kind,
                  is_demo=is_demo)
    session.add(pilot)
    session.flush()
    if user.role == "researcher" and user.id is not None:
        session.add(PilotResearcher(pilot_id=pilot.id, user_id=user.id))
        session.flush()
    return pilot


def get_pilot_by_slug(session: Session, user: CurrentUser, slug: str) -> Pilot:
    pilot = session.scalar(
        select(Pilot).where(Pilot.slug == slug, Pilot.deleted_at.is_(None), pilot_read_clause(user))
    )
    if pilot is None:
        raise NotFound(f"Pilotprojektet {slug!r} finns inte eller är inte synligt för dig.")
    return pilot


def add_site(
    session: Session,
    user: CurrentUser,
    pilot: Pilot,
    municipality_code: str,
    *,
    contact_role: str = "",
    project_organisation: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    context_notes: str = "",
) -> Site:
    """Add a municipality to a pilot as a site."""
    from pilots.access import require_pilot

    require_pilot(session, user, pilot.id, write=True)
    get_municipality(session, municipality_code)
    problems = []
    if session.scalar(select(Site.id).where(Site.pilot_id == pilot.id, Site.municipality_code == municipality_code)):
        problems.append(Problem("municipality_code", f"kommunen {municipality_code} är redan med i {pilot.name}"))
    s, e = start_date or pilot.start_date, end_date or pilot.end_date
    if s < pilot.start_date or e > pilot.end_date or e < s:
        problems.append(Problem("start_date/end_date",
                                f"platsens period {s}–{e} måste ligga inom pilotens {pilot.start_date}–{pilot.end_date}"))
    if problems:
        raise ValidationError(problems)
    check_fields({"contact_role": contact_role, "project_organisation": project_organisation,
                  "context_notes": context_notes})
    site = Site(pilot_id=pilot.id, municipality_code=municipality_code, contact_role=contact_role,
                project_organisation=project_organisation, start_date=s, end_date=e, context_notes=context_notes)
    session.add(site)
    session.flush()
    return site


def pilots_frame(session: Session, user: CurrentUser) -> pd.DataFrame:
    """The pilots ``user`` may read."""
    rows = session.scalars(
        select(Pilot).where(Pilot.deleted_at.is_(None), pilot_read_clause(user)).order_by(Pilot.start_date, Pilot.name)
    ).all()
    cols = ["id", "slug", "name", "kind", "purpose", "start_date", "end_date", "is_demo"]
    return pd.DataFrame([{c: getattr(p, c) for c in cols} for p in rows], columns=cols)


SITE_COLUMNS = [
    "site_id", "pilot_id", "pilot_slug", "pilot_name", "is_demo", "municipality_code", "municipality_name",
    "county_code", "county_name", "landsdel", "fa_name", "population", "population_year", "size_class",
    "skr_group_2017_code", "skr_group_2017_name", "skr_group_2023_code", "skr_group_2023_name",
    "contact_role", "project_organisation", "start_date", "end_date", "context_notes", "version",
]


def sites_frame(session: Session, user: CurrentUser, pilot_id: int | None = None) -> pd.DataFrame:
    """The sites ``user`` may read, each with its reference context (size class, SKR group, region)."""
    stmt = (
        select(Site, Pilot, Municipality)
        .join(Pilot, Pilot.id == Site.pilot_id)
        .join(Municipality, Municipality.code == Site.municipality_code)
        .where(Site.deleted_at.is_(None), Pilot.deleted_at.is_(None), site_read_clause(user))
        .order_by(Pilot.name, Municipality.name)
    )
    if pilot_id is not None:
        stmt = stmt.where(Site.pilot_id == pilot_id)
    out: list[dict[str, Any]] = []
    for site, pilot, m in session.execute(stmt):
        out.append({
            "site_id": site.id, "pilot_id": pilot.id, "pilot_slug": pilot.slug, "pilot_name": pilot.name,
            "is_demo": pilot.is_demo, "municipality_code": m.code, "municipality_name": m.name,
            "county_code": m.county_code, "county_name": m.county_name, "landsdel": m.landsdel,
            "fa_name": m.fa_name, "population": m.population, "population_year": m.population_year,
            "size_class": size_class(m.population) if m.population is not None else None,
            "skr_group_2017_code": m.skr_group_2017_code, "skr_group_2017_name": m.skr_group_2017_name,
            "skr_group_2023_code": m.skr_group_2023_code, "skr_group_2023_name": m.skr_group_2023_name,
            "contact_role": site.contact_role, "project_organisation": site.project_organisation,
            "start_date": site.start_date, "end_date": site.end_date, "context_notes": site.context_notes,
            "version": site.version,
        })
    return pd.DataFrame(out, columns=SITE_COLUMNS)


def site_label(row: dict[str, Any] | pd.Series) -> str:
    """'Skellefteå (TryggVäxt)' — how a site is named in lists and charts."""
    return f"{row['municipality_name']} ({row['pilot_name']})"


def shows_demo_data(session: Session, user: CurrentUser) -> bool:
    """True when any pilot the user can see is demo data (pages then show the Exempeldata banner)."""
    return session.scalar(
        select(Pilot.id).where(Pilot.is_demo.is_(True), Pilot.deleted_at.is_(None), pilot_read_clause(user)).limit(1)
    ) is not None
