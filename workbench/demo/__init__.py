"""The demo: a fictitious but realistic dataset (Exempeldata) built through the same service functions users use.

Each part module has ``build(session, demo)`` and adds one capability's records; ``load_demo`` runs them in order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from pilots import db
from pilots.access import SYSTEM_USER
from pilots.errors import WorkbenchError
from pilots.models import Pilot

DEMO_PASSWORD_ENV = "WORKBENCH_DEMO_PASSWORD"
DEFAULT_DEMO_PASSWORD = "exempel-2026"


@dataclass
class DemoContext:
    """What earlier demo parts created, for later parts to build on."""

    seed: int = 2482
    pilots: dict[str, Any] = field(default_factory=dict)
    sites: dict[str, Any] = field(default_factory=dict)  # key: "<pilot slug>:<municipality code>"
    users: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def demo_password() -> str:
    return os.environ.get(DEMO_PASSWORD_ENV) or DEFAULT_DEMO_PASSWORD


def _parts() -> list[Any]:
    from workbench.demo import sites as sites_part

    parts: list[Any] = [sites_part]
    for name in ("plans", "meetings", "assessments", "survey", "reports"):
        try:
            module = __import__(f"workbench.demo.{name}", fromlist=["build"])
        except ModuleNotFoundError as exc:
            if exc.name != f"workbench.demo.{name}":
                raise
            continue
        parts.append(module)
    return parts


def has_demo(engine: Engine) -> bool:
    with db.session_scope(engine, face="system") as session:
        return session.scalar(select(Pilot.id).where(Pilot.is_demo.is_(True)).limit(1)) is not None


def load_demo(engine: Engine, *, replace: bool = False) -> DemoContext:
    """Migrate, then load the demo in one transaction (all or nothing). Refuses a database holding real pilots."""
    from workbench.database import prepare_workbench

    prepare_workbench(engine)
    with db.session_scope(engine, user=SYSTEM_USER, face="system") as session:
        real = session.scalar(select(Pilot.id).where(Pilot.is_demo.is_(False)).limit(1))
        if real is not None:
            raise WorkbenchError(
                "Databasen innehåller riktiga pilotprojekt; exempeldata läses bara in i en databas utan dem. "
                "Använd en egen databas för demo (WORKBENCH_DATABASE_URL)."
            )
        if session.scalar(select(Pilot.id).where(Pilot.is_demo.is_(True)).limit(1)) is not None:
            if not replace:
                return DemoContext()
            raise WorkbenchError("Exempeldata finns redan. Ta bort databasfilen för att läsa in den på nytt.")
        ctx = DemoContext()
        for part in _parts():
            part.build(session, ctx)
    return ctx

USERS_HELP = """  admin        administratör
  forskare     följeforskare (TryggVäxt, jämförelsekommuner)
  forskare-bra följeforskare (Brå-piloten)
  mfof         MFoF-handläggare (alla piloter, översikter)
  skelleftea   kommunanvändare, Skellefteå
  orebro       kommunanvändare, Örebro
  presentator  presentatör (sammanställda diagram och export)"""
