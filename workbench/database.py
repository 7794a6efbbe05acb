"""Set-up of a workbench database across all rooms: schema, municipalities, indicator and instrument definitions."""

from __future__ import annotations

from sqlalchemy import Engine

from instruments.store import sync_builtin_instruments
from pilots import db
from pilots.indicators import sync_indicator_definitions
from pilots.maintenance import prepare_database


def prepare_workbench(engine: Engine) -> None:
    """Upgrade the schema, load the 290 municipalities and store the shipped definitions the database lacks."""
    prepare_database(engine)
    with db.session_scope(engine, face="system") as session:
        sync_indicator_definitions(session)
        sync_builtin_instruments(session)
