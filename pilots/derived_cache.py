"""Derived data cached in the process with a time-to-live and dropped whenever a session writes records.

Only derived values (metrics, scores) are kept, never anything a user is allowed or not allowed to see:
callers check access first and key entries by what they computed from (e.g. a site id). Two kinds of entry:

- a **site entry** (``cached(..., site_id=N)``) is derived from one site's records only; it is dropped when a
  write touches that site (a meeting, its attendance or actions, an actor, forum, round, response, answer, log
  entry or indicator value of the site), and kept when other sites change;
- an **aggregate entry** (no ``site_id``) is derived from many sites and is dropped on every write.

An ORM flush whose rows can be traced to their sites drops only those sites' entries (plus the aggregates).
Every other write drops everything: a flush touching a table not tied to one site (pilots, municipalities,
instrument versions...), an ORM bulk INSERT/UPDATE/DELETE statement, and any INSERT/UPDATE/DELETE sent through
an engine outside a flush (raw connections, restores, maintenance). Writes to the audit trail and user accounts
drop nothing.

Other processes' writes (the CLI, an import, a second app server) are seen through the audit trail: every ORM
change and every import leaves an audit row, so at most every ``AUDIT_CHECK_SECONDS`` the new rows are read
and traced to their sites the same way. What bypasses both (raw SQL from elsewhere) shows at the latest after
the time-to-live (``WORKBENCH_CACHE_TTL`` seconds, default 3600; 0 turns the cache off).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, event, func, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

T = TypeVar("T")
TTL_ENV = "WORKBENCH_CACHE_TTL"
DEFAULT_TTL = 3600.0
MAX_ENTRIES = 200_000  # a national pilot keeps ~40 values per site (12 000+); full: start again
# Writes to these tables do not change any derived data.
_IGNORED_TABLES = frozenset({"audit_event", "user_account", "login_attempt"})
# Tables whose rows carry their site directly, and how the others reach it.
_SITE_COLUMN_TABLES = frozenset(
    {"phase", "milestone", "log_entry", "indicator_value", "actor", "forum", "actor_rating", "actor_flow",
     "assessment_round", "model_adoption"}
)  # fmt: skip
_BY_FORUM = frozenset({"meeting", "forum_member"})
_BY_MEETING = frozenset({"meeting_attendance", "meeting_action"})
_BY_ROUND = frozenset({"response", "invitation"})
_BY_RESPONSE = frozenset({"answer"})
# The columns that tie a row to its site (a change of one of them moves the row: everything is dropped).
_LINK_COLUMNS = ("site_id", "forum_id", "meeting_id", "round_id", "response_id")
_TRACE_MAX_ROWS = 500

_lock = threading.Lock()
_entries: dict[Hashable, tuple[float, tuple[int, int], Any]] = {}
_generation = 0  # bumped by every write that drops everything
_aggregate_generation = 0  # bumped by every write
_site_generations: dict[int, int] = {}  # bumped by writes to that site
_flushing = threading.local()
_refresh = threading.local()
_audit_marks: dict[str, tuple[float, int | None]] = {}  # database -> (when looked, newest audit id seen)
AUDIT_CHECK_SECONDS = 2.0


def ttl_seconds() -> float:
    raw = os.environ.get(TTL_ENV, "").strip()
    try:
        return float(raw) if raw else DEFAULT_TTL
    except ValueError:
        return DEFAULT_TTL


def invalidate() -> None:
    """Forget every cached value (called on writes that cannot be traced to sites; tests and the benchmark
    call it for a cold start)."""
    global _generation, _aggregate_generation
    with _lock:
        _generation += 1
        _aggregate_generation += 1
        _entries.clear()


def invalidate_sites(site_ids: Iterable[int]) -> None:
    """Forget the values derived from these sites and every aggregate value; other sites' values stay."""
    global _aggregate_generation
    with _lock:
        _aggregate_generation += 1
        for site_id in site_ids:
            _site_generations[int(site_id)] = _site_generations.get(int(site_id), 0) + 1


def write_generation() -> tuple[int, int]:
    """Changes whenever a write dropped cached values (any site's, or everything)."""
    with _lock:
        return (_generation, _aggregate_generation)


def notice_writes(engine: Engine) -> None:
    """Look at the audit trail now for other processes' writes (at most every ``AUDIT_CHECK_SECONDS``)."""
    from pilots import db

    with db.session_scope(engine, face="system") as session:
        database = str(engine.url.render_as_string(hide_password=True))
        _follow_audit_trail(session, database)
        session.rollback()


@contextmanager
def refreshing(margin: float) -> Iterator[None]:
    """Inside the block, this thread recomputes entries that would expire within ``margin`` seconds (a
    background warm-up renews values before users find them expired)."""
    _refresh.margin = margin
    try:
        yield
    finally:
        _refresh.margin = 0.0


def _stamp(site_id: int | None) -> tuple[int, int]:
    """What an entry's validity depends on (read under the lock)."""
    if site_id is None:
        return (_generation, _aggregate_generation)
    return (_generation, _site_generations.get(site_id, 0))


def cached(session: Session, key: Hashable, compute: Callable[[], T], *, site_id: int | None = None) -> T:
    """The value cached under ``key`` for the session's database when it is younger than the TTL and nothing
    it depends on was written since (one site's records when ``site_id`` is given, else any record); else
    compute it."""
    ttl = ttl_seconds()
    if ttl <= 0:
        return compute()
    site = None if site_id is None else int(site_id)
    database = str(session.get_bind().engine.url.render_as_string(hide_password=True))
    _follow_audit_trail(session, database)
    key = (database, site, key)
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
        stamp = _stamp(site)
    if hit is not None and hit[0] > now + getattr(_refresh, "margin", 0.0) and hit[1] == stamp:
        return hit[2]  # type: ignore[no-any-return]
    value = compute()
    if "derived_cache_dirty" in session.info:  # computed inside a transaction that wrote: not committed yet
        return value
    with _lock:
        if stamp == _stamp(site):  # nothing it depends on was written while computing: safe to keep
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[key] = (now + ttl, stamp, value)
    return value


def _follow_audit_trail(session: Session, database: str) -> None:
    """Drop what other processes' writes changed: every ORM change and every import leaves a row in the
    audit trail, so new audit rows since the last look (at most every ``AUDIT_CHECK_SECONDS``) are traced to
    their sites like this process's own flushes; an import or anything untraceable drops everything."""
    from pilots.models import AuditEvent

    now = time.monotonic()
    with _lock:
        checked_at, seen = _audit_marks.get(database, (-AUDIT_CHECK_SECONDS, None))
        if now - checked_at < AUDIT_CHECK_SECONDS:
            return
        _audit_marks[database] = (now, seen)
    conn = session.connection()
    newest = conn.execute(select(func.max(AuditEvent.id))).scalar()
    if seen is not None and (newest is None or newest < seen):  # the trail went back: a restore, a reset
        invalidate()
    if seen is None or newest is None or newest <= seen:
        with _lock:
            _audit_marks[database] = (now, newest)
        return
    rows = conn.execute(
        select(AuditEvent.entity, AuditEvent.entity_id, AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.id > seen, AuditEvent.id <= newest)
        .limit(_TRACE_MAX_ROWS + 1)
    ).all()
    written = [r for r in rows if r.entity not in _IGNORED_TABLES]
    sites = (
        None if len(rows) > _TRACE_MAX_ROWS
        else _sites_written(session, [_audited_links(conn, *r) for r in written]) if written
        else set()
    )  # fmt: skip
    if sites is None:
        invalidate()
    elif sites:
        invalidate_sites(sites)
    with _lock:
        _audit_marks[database] = (now, newest)


def _audited_links(conn: Any, entity: str, entity_id: str, before: Any, after: Any) -> tuple[str, dict[str, Any]] | None:
    """An audited row's table and the columns that tie it to its site: from the snapshot when it has them
    (creates and deletes keep the whole row), else read by the row's id (an update keeps only the change)."""
    from pilots.models import Base

    values = {**(before if isinstance(before, dict) else {}), **(after if isinstance(after, dict) else {})}
    table = Base.metadata.tables.get(entity)
    if table is None:
        return None  # an import, a restore...: not one table's row
    if entity == "site":
        return entity, {"id": int(entity_id)} if entity_id.isdigit() else {}
    wanted = [c for c in _LINK_COLUMNS if c in table.c]
    if not wanted:
        return None
    if all(c in values for c in wanted):
        return entity, {c: values[c] for c in wanted}
    if not entity_id.isdigit() or "id" not in table.c:
        return None
    row = conn.execute(select(*(table.c[c] for c in wanted)).where(table.c.id == int(entity_id))).first()
    return None if row is None else (entity, dict(zip(wanted, row, strict=True)))


def scope_key(user: Any) -> tuple[Any, ...]:
    """What decides which records ``user`` may read (role, municipality, pilots): a cache key part for
    values derived from everything a user can see. Everyone who reads every site (admin, MFoF) shares one."""
    if getattr(user, "sees_every_site", False):
        return ("every site",)
    return (user.role, user.municipality_code, tuple(sorted(user.pilot_ids)))


def _table(obj: Any) -> str:
    table = getattr(type(obj), "__tablename__", None)
    return str(table) if table else type(obj).__name__


def _links(obj: Any) -> tuple[str, dict[str, Any]] | None:
    """A flushed object's table and the columns that tie it to its site; None when such a column changed
    (the row moved: both its old and its new site are affected)."""
    state = inspect(obj)
    links = {}
    for column in _LINK_COLUMNS:
        if column in state.attrs:
            if not state.pending and state.attrs[column].history.has_changes():
                return None
            links[column] = getattr(obj, column)
    return _table(obj), links


def _sites_written(session: Session, rows: Iterable[tuple[str, dict[str, Any]] | None]) -> set[int] | None:
    """The sites written rows belong to, given each row's table and link columns (``site_id``, ``forum_id``,
    ``meeting_id``, ``round_id``, ``response_id``, or ``id`` for a site); None when a row is not tied to a
    site or its site cannot be found."""
    from pilots.models import AssessmentRound, Forum, Meeting, Response

    sites: set[int] = set()
    forums: set[int] = set()
    meetings: set[int] = set()
    rounds: set[int] = set()
    responses: set[int] = set()
    for row in rows:
        if row is None:
            return None
        table, links = row
        if table in _IGNORED_TABLES:
            continue
        column, into = (
            ("id", sites) if table == "site"
            else ("site_id", sites) if table in _SITE_COLUMN_TABLES
            else ("forum_id", forums) if table in _BY_FORUM
            else ("meeting_id", meetings) if table in _BY_MEETING
            else ("round_id", rounds) if table in _BY_ROUND
            else ("response_id", responses) if table in _BY_RESPONSE
            else ("", sites)
        )  # fmt: skip
        if links.get(column) is None:
            return None
        into.add(int(links[column]))
    conn = session.connection()
    for ids, key, parent, into in (
        (responses, Response.id, Response.round_id, rounds),
        (rounds, AssessmentRound.id, AssessmentRound.site_id, sites),
        (meetings, Meeting.id, Meeting.forum_id, forums),
        (forums, Forum.id, Forum.site_id, sites),
    ):
        if ids:
            found = conn.execute(select(key, parent).where(key.in_(ids))).all()
            if len(found) != len(ids):  # a row already gone: its site is unknown
                return None
            into |= {int(p) for _, p in found}
    return sites


def _remember(session: Session, sites: set[int] | None) -> None:
    """Note what this transaction wrote, to drop it again at commit."""
    if sites is None:
        session.info["derived_cache_dirty"] = None
        invalidate()
        return
    if not sites:
        return
    known = session.info.get("derived_cache_dirty", set())
    if known is not None:
        session.info["derived_cache_dirty"] = known | sites
    invalidate_sites(sites)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    _flushing.depth = getattr(_flushing, "depth", 0) + 1


@event.listens_for(Session, "after_flush_postexec")
def _after_flush_postexec(session: Session, _flush: UOWTransaction) -> None:
    _flushing.depth = max(0, getattr(_flushing, "depth", 1) - 1)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    objects = [obj for obj in (*session.new, *session.dirty, *session.deleted) if _table(obj) not in _IGNORED_TABLES]
    if objects:
        _remember(session, _sites_written(session, [_links(obj) for obj in objects]))


@event.listens_for(Session, "do_orm_execute")
def _after_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in _IGNORED_TABLES:
        return
    state.update_execution_options(derived_cache_traced=True)  # _after_cursor: already accounted for
    # A bulk INSERT of rows that name their site (or forum, meeting, round...) drops those sites' values;
    # any other ORM statement (UPDATE/DELETE with a WHERE clause) drops everything.
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if isinstance(params, dict) else []
    # A big bulk insert (an import) drops everything rather than tracing thousands of rows.
    traceable = 0 < len(rows) <= _TRACE_MAX_ROWS and not getattr(state.statement, "_values", None)
    if state.is_insert and name and traceable:
        _remember(state.session, _sites_written(state.session, [(name, dict(r)) for r in rows]))
    else:
        _remember(state.session, None)


_WRITE_WORDS = ("insert", "update", "delete", "truncate", "drop", "alter", "create", "replace")


@event.listens_for(Engine, "after_cursor_execute")
def _after_cursor(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    # Writes that bypass the ORM session (raw connections, restores, maintenance) drop everything; a flush's
    # own statements are traced to their sites in _after_flush instead.
    traced = context is not None and context.execution_options.get("derived_cache_traced")
    if getattr(_flushing, "depth", 0) or traced:
        return
    head = statement.lstrip()[:40].lower()
    if head.startswith(_WRITE_WORDS) and not any(name in head for name in _IGNORED_TABLES):
        invalidate()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # Values computed by other threads between the flush and the commit may hold the old state: drop them too.
    if "derived_cache_dirty" not in session.info:
        return
    sites = session.info.pop("derived_cache_dirty")
    if sites is None:
        invalidate()
    else:
        invalidate_sites(sites)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    # What was computed from the written sites while the transaction ran may hold its rolled-back rows.
    if "derived_cache_dirty" in session.info:
        sites = session.info.pop("derived_cache_dirty")
        if sites is None:
            invalidate()
        else:
            invalidate_sites(sites)
    _flushing.depth = 0  # a flush that failed never reached after_flush_postexec
