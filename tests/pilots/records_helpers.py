"""Shared set-up for the record tests: a pilot with two sites, built through the service functions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pilots.access import SYSTEM_USER, CurrentUser
from pilots.sites import add_site, create_pilot


def setup_pilot(session: Session, slug: str = "tryggvaxt") -> tuple[int, int, int]:
    """A 2025 pilot with sites Skellefteå (2482, from March) and Umeå (2480); returns pilot and site ids."""
    pilot = create_pilot(session, SYSTEM_USER, slug=slug, name="TryggVäxt", purpose="Samverkan",
                         start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    a = add_site(session, SYSTEM_USER, pilot, "2482", start_date=date(2025, 3, 1))
    b = add_site(session, SYSTEM_USER, pilot, "2480")
    session.flush()
    return pilot.id, a.id, b.id


def researcher(*pilot_ids: int) -> CurrentUser:
    return CurrentUser(id=None, username="forskare", role="researcher", pilot_ids=frozenset(pilot_ids))


def municipality_user(code: str) -> CurrentUser:
    return CurrentUser(id=None, username=f"kommun-{code}", role="municipality", municipality_code=code)


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)
