"""Pilots and their sites: create, read (scoped to the user), with each site's reference context."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from pilots.access import CurrentUser, pilot_read_clause, require_pilot, require_role, site_read_clause
from pilots.derived_cache import cached, scope_key
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
    # Nearly every page reads this list on every rerun (290 sites nationally): it is kept per reader scope
    # and pilot in the derived-data cache until any record is written, and each caller gets its own copy.
    key = ("sites_frame", scope_key(user), pilot_id)
    return cached(session, key, lambda: _read_sites(session, user, pilot_id)).copy()


def _read_sites(session: Session, user: CurrentUser, pilot_id: int | None) -> pd.DataFrame:
    # Plain columns, not ORM objects: nationally there are 290 sites.
    stmt = (
        select(
            Site.id, Pilot.id, Pilot.slug, Pilot.name, Pilot.is_demo, Municipality.code, Municipality.name,
            Municipality.county_code, Municipality.county_name, Municipality.landsdel, Municipality.fa_name,
            Municipality.population, Municipality.population_year, Municipality.skr_group_2017_code,
            Municipality.skr_group_2017_name, Municipality.skr_group_2023_code, Municipality.skr_group_2023_name,
            Site.contact_role, Site.project_organisation, Site.start_date, Site.end_date, Site.context_notes,
            Site.version,
        )
        .join(Pilot, Pilot.id == Site.pilot_id)
        .join(Municipality, Municipality.code == Site.municipality_code)
        .where(Site.deleted_at.is_(None), Pilot.deleted_at.is_(None), site_read_clause(user))
        .order_by(Pilot.name, Municipality.name)
    )
    if pilot_id is not None:
        stmt = stmt.where(Site.pilot_id == pilot_id)
    out: list[dict[str, Any]] = []
    for (site_id, p_id, p_slug, p_name, p_demo, m_code, m_name, county_code, county_name, landsdel, fa_name,
         population, population_year, skr17_code, skr17_name, skr23_code, skr23_name, contact_role,
         project_organisation, start_date, end_date, context_notes, version) in session.execute(stmt):
        out.append({
            "site_id": site_id, "pilot_id": p_id, "pilot_slug": p_slug, "pilot_name": p_name,
            "is_demo": p_demo, "municipality_code": m_code, "municipality_name": m_name,
            "county_code": county_code, "county_name": county_name, "landsdel": landsdel,
            "fa_name": fa_name, "population": population, "population_year": population_year,
            "size_class": size_class(population) if population is not None else None,
            "skr_group_2017_code": skr17_code, "skr_group_2017_name": skr17_name,
            "skr_group_2023_code": skr23_code, "skr_group_2023_name": skr23_name,
            "contact_role": contact_role, "project_organisation": project_organisation,
            "start_date": start_date, "end_date": end_date, "context_notes": context_notes,
            "version": version,
        })
    return pd.DataFrame(out, columns=SITE_COLUMNS)


def site_label(row: dict[str, Any] | pd.Series) -> str:
    """'Skellefteå (TryggVäxt)' — how a site is named in lists and charts."""
    return _label(row["municipality_name"], row["pilot_name"])


def site_names(sites: pd.DataFrame) -> dict[int, str]:
    """Each site's id and label from a ``sites_frame``, in its order (for pickers: one pass over columns)."""
    return {
        int(site_id): _label(municipality, pilot)
        for site_id, municipality, pilot in zip(
            sites["site_id"], sites["municipality_name"], sites["pilot_name"], strict=True
        )
    }


def _label(municipality_name: Any, pilot_name: Any) -> str:
    return f"{municipality_name} ({pilot_name})"


def shows_demo_data(session: Session, user: CurrentUser) -> bool:
    """True when any pilot the user can see is demo data (pages then show the Exempeldata banner)."""
    return session.scalar(
        select(Pilot.id).where(Pilot.is_demo.is_(True), Pilot.deleted_at.is_(None), pilot_read_clause(user)).limit(1)
    ) is not None


# --- editing -------------------------------------------------------------------------------------

PILOT_FIELDS = ("name", "kind", "purpose", "start_date", "end_date")
SITE_FIELDS = ("contact_role", "project_organisation", "start_date", "end_date", "context_notes")


def update_pilot(session: Session, user: CurrentUser, pilot_id: int, expected_version: int,
                 changes: dict[str, Any]) -> Pilot:
    """Change a pilot's name, kind, purpose or period (refused on a version conflict)."""
    from pilots.editing import update_record

    pilot = require_pilot(session, user, pilot_id, write=True)
    problems = [Problem(k, "fältet kan inte ändras här") for k in changes if k not in PILOT_FIELDS]
    kind = changes.get("kind", pilot.kind)
    if kind not in PILOT_KINDS:
        problems.append(Problem("kind", f"okänd typ {kind!r}; välj {', '.join(PILOT_KINDS)}"))
    s, e = changes.get("start_date", pilot.start_date), changes.get("end_date", pilot.end_date)
    if e < s:
        problems.append(Problem("end_date", f"slutdatum {e} ligger före startdatum {s}"))
    if problems:
        raise ValidationError(problems)
    return update_record(session, user, Pilot, pilot_id, expected_version, changes)  # type: ignore[no-any-return]


def site_period_problems(pilot: Pilot, start: date | None, end: date | None, where: str = "start_date/end_date"
                         ) -> list[Problem]:
    """A site's period must lie inside its pilot's."""
    s, e = start or pilot.start_date, end or pilot.end_date
    if s < pilot.start_date or e > pilot.end_date or e < s:
        return [Problem(where, f"platsens period {s}–{e} måste ligga inom pilotens "
                               f"{pilot.start_date}–{pilot.end_date} (site period must lie within the pilot's)")]
    return []


def update_site(session: Session, user: CurrentUser, site_id: int, expected_version: int,
                changes: dict[str, Any]) -> Site:
    """Change a site's contact role, organisation, period or context notes (refused on a version conflict)."""
    from pilots.editing import update_record

    site = session.get(Site, site_id)
    if site is None or site.deleted_at is not None:
        raise NotFound(f"Det finns ingen plats (site) med id {site_id}.")
    pilot = require_pilot(session, user, site.pilot_id, write=True)
    problems = [Problem(k, "fältet kan inte ändras här") for k in changes if k not in SITE_FIELDS]
    problems += site_period_problems(pilot, changes.get("start_date", site.start_date),
                                     changes.get("end_date", site.end_date))
    if problems:
        raise ValidationError(problems)
    return update_record(session, user, Site, site_id, expected_version, changes)  # type: ignore[no-any-return]


def assign_researcher(session: Session, user: CurrentUser, pilot_id: int, username: str) -> None:
    """Give a researcher account access to a pilot (admins only); their access follows from it."""
    from pilots.models import UserAccount

    require_role(user, "admin")
    require_pilot(session, user, pilot_id)
    account = session.scalar(select(UserAccount).where(UserAccount.username == username))
    if account is None:
        raise NotFound(f"Det finns ingen användare {username!r}.")
    if account.role != "researcher":
        raise ValidationError(Problem("username", f"{username} har rollen {account.role}, inte följeforskare"))
    if session.get(PilotResearcher, (pilot_id, account.id)) is None:
        session.add(PilotResearcher(pilot_id=pilot_id, user_id=account.id))
        session.flush()


def researchers_frame(session: Session, user: CurrentUser, pilot_id: int) -> pd.DataFrame:
    """The researchers assigned to a pilot."""
    from pilots.models import UserAccount

    require_pilot(session, user, pilot_id)
    rows = session.execute(
        select(UserAccount.username, UserAccount.display_name)
        .join(PilotResearcher, PilotResearcher.user_id == UserAccount.id)
        .where(PilotResearcher.pilot_id == pilot_id).order_by(UserAccount.username)
    ).all()
    return pd.DataFrame([{"username": u, "display_name": d} for u, d in rows], columns=["username", "display_name"])


# --- resolving sites in import files --------------------------------------------------------------


class SiteResolver:
    """Finds the site for (pilot slug, municipality code) in an import row, collecting problems instead of raising.

    Caches pilots and sites per file; checks that the user may write to the pilot.
    """

    def __init__(self, session: Session, user: CurrentUser) -> None:
        self.session, self.user = session, user
        self._pilots: dict[str, Pilot | None] = {}
        self._sites: dict[tuple[int, str], Site | None] = {}

    def pilot(self, slug: str | None, where: str, problems: list[Problem], *, write: bool = True) -> Pilot | None:
        from pilots.access import may_write_pilot

        if not slug:
            return None
        if slug not in self._pilots:
            self._pilots[slug] = self.session.scalar(
                select(Pilot).where(Pilot.slug == slug, Pilot.deleted_at.is_(None), pilot_read_clause(self.user))
            )
        pilot = self._pilots[slug]
        if pilot is None:
            problems.append(Problem(where, f"okänt pilotprojekt '{slug}' (eller inte synligt för dig); "
                                           "ange pilotens id, t.ex. 'tryggvaxt' (unknown pilot)"))
            return None
        if write and not may_write_pilot(self.user, pilot.id):
            problems.append(Problem(where, f"du får inte ändra pilotprojektet '{slug}' (no write access)"))
            return None
        return pilot

    def site(self, pilot: Pilot | None, code: str | None, where: str, problems: list[Problem]) -> Site | None:
        if pilot is None or not code:
            return None
        key = (pilot.id, code)
        if key not in self._sites:
            self._sites[key] = self.session.scalar(
                select(Site).where(Site.pilot_id == pilot.id, Site.municipality_code == code,
                                   Site.deleted_at.is_(None))
            )
        site = self._sites[key]
        if site is None:
            problems.append(Problem(where, f"kommun {code} är inte en plats i pilotprojektet '{pilot.slug}'; "
                                           "lägg först till platsen (unknown site)"))
        return site


def date_in_site_period(site: Site, pilot: Pilot, value: date | None, where: str, problems: list[Problem]) -> None:
    """Add a problem when ``value`` lies outside the site's (or the pilot's) period."""
    if value is None:
        return
    s, e = site.start_date or pilot.start_date, site.end_date or pilot.end_date
    if value < s or value > e:
        problems.append(Problem(where, f"datumet {value} ligger utanför platsens period {s}–{e} "
                                       "(date outside the pilot period)"))
