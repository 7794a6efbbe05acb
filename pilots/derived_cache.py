"""Derived data cached in the process with a time-to-live and dropped whenever a session writes records.

Only derived values (metrics, scores) are kept, never anything a user is allowed or not allowed to see:
callers check access first and key entries by what they computed from (e.g. a site id). Every ORM flush or
ORM-issued INSERT/UPDATE/DELETE that touches a table other than the audit trail and user accounts empties
the cache in this process, and so does any INSERT/UPDATE/DELETE sent through an engine (raw connections);
other processes (replicas) see a write at the latest after the time-to-live
(``WORKBENCH_CACHE_TTL`` seconds, default 300; 0 turns the cache off).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

T = TypeVar("T")
TTL_ENV = "WORKBENCH_CACHE_TTL"
MAX_ENTRIES = 20_000
# Writes to these tables do not change any derived data.
_IGNORED_TABLES = frozenset({"audit_event", "user_account", "login_attempt"})

_lock = threading.Lock()
_entries: dict[Hashable, tuple[float, int, Any]] = {}
_generation = 0


def ttl_seconds() -> float:
    raw = os.environ.get(TTL_ENV, "").strip()
    try:
        return float(raw) if raw else 300.0
    except ValueError:
        return 300.0


def invalidate() -> None:
    """Forget every cached value (called on each write; tests and the benchmark call it for a cold start)."""
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def cached(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """The value cached under ``key`` for the session's database when it is younger than the TTL and no write
    happened since; else compute it."""
    ttl = ttl_seconds()
    if ttl <= 0:
        return compute()
    key = (str(session.get_bind().engine.url.render_as_string(hide_password=True)), key)
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
        generation = _generation
    if hit is not None and hit[0] > now and hit[1] == generation:
        return hit[2]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        if generation == _generation:  # no write while computing: safe to keep
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[key] = (now + ttl, generation, value)
    return value


def scope_key(user: Any) -> tuple[Any, ...]:
    """What decides which records ``user`` may read (role, municipality, pilots): a cache key part for
    values derived from everything a user can see."""
    return (user.role, user.municipality_code, tuple(sorted(user.pilot_ids)))


def _table_names(objects: Any) -> set[str]:
    names = set()
    for obj in objects:
        table = getattr(type(obj), "__tablename__", None)
        names.add(str(table) if table else type(obj).__name__)
    return names


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    touched = _table_names(session.new) | _table_names(session.dirty) | _table_names(session.deleted)
    if touched - _IGNORED_TABLES:
        session.info["derived_cache_dirty"] = True
        invalidate()


@event.listens_for(Session, "do_orm_execute")
def _after_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in _IGNORED_TABLES:
        state.session.info["derived_cache_dirty"] = True
        invalidate()


_WRITE_WORDS = ("insert", "update", "delete", "truncate", "drop", "alter", "create", "replace")


@event.listens_for(Engine, "after_cursor_execute")
def _after_cursor(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    # Writes that bypass the ORM session (raw connections, restores, maintenance) drop the cache too.
    head = statement.lstrip()[:40].lower()
    if head.startswith(_WRITE_WORDS) and not any(name in head for name in _IGNORED_TABLES):
        invalidate()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # Values computed by other threads between the flush and the commit may hold the old state: drop them too.
    if session.info.pop("derived_cache_dirty", False):
        invalidate()
