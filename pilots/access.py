"""Who may read and write what: the one place every query, page and export asks."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session

from pilots.errors import AccessDenied, NotFound
from pilots.models import Pilot, PilotResearcher, Site, UserAccount

ROLES = ("admin", "researcher", "mfof", "municipality", "presenter")
ROLE_LABELS = {
    "admin": ("Administratör", "Administrator"),
    "researcher": ("Följeforskare", "Follow-researcher"),
    "mfof": ("MFoF-handläggare", "MFoF staff"),
    "municipality": ("Kommun", "Municipality"),
    "presenter": ("Presentatör", "Presenter"),
}


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in user as the query layer sees it."""

    id: int | None
    username: str
    role: str
    municipality_code: str | None = None
    pilot_ids: frozenset[int] = field(default_factory=frozenset)
    display_name: str = ""

    @property
    def sees_every_site(self) -> bool:
        return self.role in ("admin", "mfof")

    @property
    def sees_site_level_data(self) -> bool:
        """Presenters see aggregated figures only, never one site's rows."""
        return self.role != "presenter"


SYSTEM_USER = CurrentUser(id=None, username="system", role="admin")


def load_current_user(session: Session, account: UserAccount) -> CurrentUser:
    """Build the scoped view of a user account (researchers carry their assigned pilots)."""
    pilot_ids: frozenset[int] = frozenset()
    if account.role == "researcher":
        pilot_ids = frozenset(
            session.scalars(select(PilotResearcher.pilot_id).where(PilotResearcher.user_id == account.id))
        )
    return CurrentUser(
        id=account.id,
        username=account.username,
        role=account.role,
        municipality_code=account.municipality_code,
        pilot_ids=pilot_ids,
        display_name=account.display_name or account.username,
    )


def site_read_clause(user: CurrentUser) -> ColumnElement[bool]:
    """A WHERE clause on ``Site`` limiting rows to what ``user`` may read."""
    if user.sees_every_site:
        return true()
    if user.role == "researcher":
        return Site.pilot_id.in_(sorted(user.pilot_ids)) if user.pilot_ids else false()
    if user.role == "municipality" and user.municipality_code:
        return Site.municipality_code == user.municipality_code
    return false()


def pilot_read_clause(user: CurrentUser) -> ColumnElement[bool]:
    """A WHERE clause on ``Pilot`` limiting rows to what ``user`` may read."""
    if user.sees_every_site or user.role == "presenter":
        return true()
    if user.role == "researcher":
        return Pilot.id.in_(sorted(user.pilot_ids)) if user.pilot_ids else false()
    if user.role == "municipality" and user.municipality_code:
        return Pilot.id.in_(select(Site.pilot_id).where(Site.municipality_code == user.municipality_code))
    return false()


def readable_sites(user: CurrentUser) -> Select[Site]:
    """Select the live sites ``user`` may read."""
    return select(Site).where(Site.deleted_at.is_(None), site_read_clause(user))


def readable_site_ids(user: CurrentUser) -> Select[int]:
    return select(Site.id).where(Site.deleted_at.is_(None), site_read_clause(user))


def may_write_pilot(user: CurrentUser, pilot_id: int) -> bool:
    return user.role == "admin" or (user.role == "researcher" and pilot_id in user.pilot_ids)


def require_site(session: Session, user: CurrentUser, site_id: int, *, write: bool = False) -> Site:
    """Return the site if ``user`` may read (or write) it; otherwise refuse with a clear message."""
    if not user.sees_site_level_data:
        raise AccessDenied("Rollen presentatör ser bara sammanställda figurer, inte enskilda kommuners data.")
    site = session.scalar(select(Site).where(Site.id == site_id, Site.deleted_at.is_(None)))
    if site is None:
        raise NotFound(f"Det finns ingen plats (site) med id {site_id}.")
    visible = session.scalar(select(Site.id).where(Site.id == site_id, site_read_clause(user)))
    if visible is None:
        raise AccessDenied("Du har inte behörighet till den här kommunens uppgifter.")
    if write and not may_write_pilot(user, site.pilot_id):
        raise AccessDenied("Du får läsa men inte ändra uppgifter för den här platsen.")
    return site


def require_pilot(session: Session, user: CurrentUser, pilot_id: int, *, write: bool = False) -> Pilot:
    """Return the pilot if ``user`` may read (or write) it."""
    pilot = session.scalar(select(Pilot).where(Pilot.id == pilot_id, Pilot.deleted_at.is_(None)))
    if pilot is None:
        raise NotFound(f"Det finns inget pilotprojekt med id {pilot_id}.")
    if session.scalar(select(Pilot.id).where(Pilot.id == pilot_id, pilot_read_clause(user))) is None:
        raise AccessDenied("Du har inte behörighet till det här pilotprojektet.")
    if write and not may_write_pilot(user, pilot_id):
        raise AccessDenied("Du får inte ändra det här pilotprojektet.")
    return pilot


def require_role(user: CurrentUser, *roles: str) -> None:
    """Refuse unless ``user`` has one of ``roles``."""
    if user.role not in roles:
        raise AccessDenied(
            f"Den här funktionen kräver rollen {' eller '.join(roles)} (du är {user.role})."
        )
