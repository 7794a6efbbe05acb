"""Alembic environment: runs on the engine handed in by pilots.db (batch mode for SQLite)."""

from alembic import context

from pilots.db import make_engine
from pilots.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or make_engine()
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with engine.begin() as conn:
        _run(conn)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
