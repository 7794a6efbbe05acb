"""Audit trail: every create, update and delete through the ORM is recorded with who, when, what and which face."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import event, func, insert, inspect, literal_column, select
from sqlalchemy.orm import Session

from pilots.access import CurrentUser, require_role
from pilots.models import AuditEvent, Base, utcnow
from pilots.paging import AnySelect, page_of, row_count

# Never recorded: the audit table itself; password hashes are masked.
_SKIP_TABLES = {"audit_event"}
_MASKED = {"password_hash", "token_hash"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _row(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {
        c.key: ("***" if c.key in _MASKED else _plain(getattr(obj, c.key)))
        for c in mapper.column_attrs
    }


def _identity(obj: Any) -> str:
    ident = inspect(obj).identity
    if ident is None:
        return ""
    return "/".join(str(x) for x in ident)


def _username(session: Session) -> str:
    user = session.info.get("user")
    if user is None:
        return ""
    return str(getattr(user, "username", user))


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            masked = attr.key in _MASKED
            before[attr.key] = "***" if masked else _plain(old)
            after[attr.key] = "***" if masked else _plain(new)
    return before, after


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _ctx: Any, _instances: Any) -> None:
    pending: list[dict[str, Any]] = session.info.setdefault("_audit_pending", [])
    for obj in session.dirty:
        if obj.__table__.name in _SKIP_TABLES or not session.is_modified(obj, include_collections=False):
            continue
        before, after = _changes(obj)
        if not after:
            continue
        action = "update"
        if "deleted_at" in after:
            action = "delete" if after["deleted_at"] else "restore"
        pending.append({"obj": obj, "action": action, "before": before, "after": after})
    for obj in session.deleted:
        if obj.__table__.name not in _SKIP_TABLES:
            pending.append({"obj": obj, "action": "delete", "before": _row(obj), "after": None})


@event.listens_for(Session, "after_flush")
def _write(session: Session, _ctx: Any) -> None:
    pending: list[dict[str, Any]] = session.info.pop("_audit_pending", [])
    for obj in session.new:
        if isinstance(obj, Base) and str(getattr(obj.__table__, "name", "")) not in _SKIP_TABLES:
            pending.append({"obj": obj, "action": "create", "before": None, "after": _row(obj)})
    if not pending:
        return
    user, face, now = _username(session), session.info.get("face", "system"), utcnow()
    rows = [
        {
            "at": now,
            "username": user,
            "face": face,
            "action": p["action"],
            "entity": p["obj"].__table__.name,
            "entity_id": _identity(p["obj"]),
            "before": p["before"],
            "after": p["after"],
        }
        for p in pending
    ]
    session.connection().execute(insert(AuditEvent), rows)


def record_event(
    session: Session, action: str, entity: str, entity_id: str = "", after: dict[str, Any] | None = None
) -> None:
    """Record an event that bypasses the ORM (bulk imports, logins, backups) in the same transaction."""
    session.execute(
        insert(AuditEvent).values(
            at=utcnow(),
            username=_username(session),
            face=session.info.get("face", "system"),
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=None,
            after={k: _plain(v) for k, v in (after or {}).items()},
        )
    )


def _audit_statement(
    *,
    entity: str | None = None,
    username: str | None = None,
    face: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> AnySelect:
    # Newest first along the index on the time (the period filter uses it too), not a sort of the period.
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    if username:
        stmt = stmt.where(AuditEvent.username == username)
    if face:
        stmt = stmt.where(AuditEvent.face == face)
    if since:
        stmt = stmt.where(AuditEvent.at >= since)
    if until:
        stmt = stmt.where(AuditEvent.at < until)
    return stmt


def audit_frame(
    session: Session,
    *,
    entity: str | None = None,
    username: str | None = None,
    face: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 1000,
    offset: int = 0,
) -> pd.DataFrame:
    """The audit trail, newest first, filtered; for admins only (the caller checks the role).

    ``limit`` and ``offset`` read one page (``limit`` None: every matching event).
    Read-only by design: the workbench has no function that changes or deletes an audit event.
    """
    stmt = _audit_statement(entity=entity, username=username, face=face, since=since, until=until)
    rows = session.scalars(page_of(stmt, limit, offset)).all()
    return pd.DataFrame(
        [
            {
                "id": r.id,
                "at": r.at,
                "username": r.username,
                "face": r.face,
                "action": r.action,
                "entity": r.entity,
                "entity_id": r.entity_id,
                "before": r.before,
                "after": r.after,
            }
            for r in rows
        ],
        columns=["id", "at", "username", "face", "action", "entity", "entity_id", "before", "after"],
    )


def audit_count(
    session: Session,
    user: CurrentUser,
    *,
    entity: str | None = None,
    username: str | None = None,
    face: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    at_most: int | None = None,
) -> int:
    """How many audit events match the filters of ``audit_trail`` (admins only; counted by the database).

    With ``at_most`` counting stops after ``at_most + 1`` events (the page says "more than ..."): a national
    trail holds hundreds of thousands of events, and an exact count of a month would read them all.
    """
    require_role(user, "admin")
    stmt = _audit_statement(entity=entity, username=username, face=face, since=since, until=until)
    return row_count(session, stmt.with_only_columns(AuditEvent.id), at_most)


# The audit page counts at most this many events exactly (100 pages of 100); beyond it, it says "more than".
AUDIT_COUNT_CAP = 10_000


def audit_trail(
    session: Session,
    user: CurrentUser,
    *,
    entity: str | None = None,
    username: str | None = None,
    face: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 1000,
    offset: int = 0,
) -> pd.DataFrame:
    """The audit trail for the admin page and exports: admins only; before/after as JSON text.

    ``limit`` and ``offset`` read one page, newest first; ``audit_count`` gives the total.
    """
    require_role(user, "admin")
    frame = audit_frame(session, entity=entity, username=username, face=face, since=since, until=until,
                        limit=limit, offset=offset)
    for column in ("before", "after"):
        frame[column] = [
            "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
            for value in frame[column]
        ]
    return frame


# Where a change came from: the faces sessions are opened with (pilots.db.session_scope and its callers).
AUDIT_FACES = ("app", "cli", "import", "invitation", "system")


def _distinct_indexed(session: Session, column: Any) -> list[str]:
    """The distinct values of an indexed column, stepping from one value to the next through the index:
    a few look-ups per value instead of a scan of every event (the trail grows by the hundred thousand),
    all in one recursive query (one round trip, whatever the number of values)."""
    step = (
        select(func.min(column)).where(column > literal_column("distinct_values.value")).scalar_subquery()
    )
    values = select(func.min(column).label("value")).cte("distinct_values", recursive=True)
    values = values.union_all(
        select(step.label("value")).select_from(values).where(values.c.value.is_not(None))
    )
    rows = session.scalars(select(values.c.value).where(values.c.value.is_not(None)))
    return [str(v) for v in rows]


def audit_newest_id(session: Session, user: CurrentUser) -> int:
    """The id of the newest audit event (0 for an empty trail); it changes whenever anything is recorded."""
    require_role(user, "admin")
    return int(session.scalar(select(func.max(AuditEvent.id))) or 0)


def audit_filter_choices(session: Session, user: CurrentUser) -> dict[str, list[str]]:
    """The entities and usernames that occur in the trail and every face (admins only), for filter lists.

    Both lists step through an index (``ix_audit_event_entity_at``, ``ix_audit_event_username_at``):
    a few index look-ups per distinct value, whatever the size of the trail, so nothing is cached.
    """
    require_role(user, "admin")
    return {
        "entity": sorted(_distinct_indexed(session, AuditEvent.entity)),
        "username": sorted(u for u in _distinct_indexed(session, AuditEvent.username) if u),
        "face": list(AUDIT_FACES),
    }
