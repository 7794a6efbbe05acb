"""Editing records safely: versioned updates with conflict messages, soft delete, and admin restore.

``update_record`` refuses a save based on an old version and says who changed which fields to what,
so two people editing the same record never silently overwrite each other. ``soft_delete`` marks a
record deleted; only an admin can ``restore`` it (the trash page lists ``deleted_records``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from pilots.access import CurrentUser, require_pilot, require_role, require_site
from pilots.errors import ConflictError, NotFound, Problem, ValidationError, WorkbenchError
from pilots.models import (
    AuditEvent,
    IndicatorValue,
    LogEntry,
    Milestone,
    Phase,
    Pilot,
    Site,
    utcnow,
)
from pilots.privacy import check_fields

# Records the editing helpers and the trash page handle, by their table name.
EDITABLE_MODELS: dict[str, type[Any]] = {
    "pilot": Pilot,
    "site": Site,
    "phase": Phase,
    "milestone": Milestone,
    "log_entry": LogEntry,
    "indicator_value": IndicatorValue,
}
# Never changed through ``update_record``.
_PROTECTED = {"id", "version", "deleted_at", "created_at", "updated_at", "author_user_id"}


def model_named(name: str) -> type[Any]:
    """The model class of an editable table name ('log_entry' → LogEntry)."""
    try:
        return EDITABLE_MODELS[name]
    except KeyError:
        raise NotFound(f"Okänd posttyp {name!r}; välj {', '.join(EDITABLE_MODELS)}.") from None


def check_write(session: Session, user: CurrentUser, obj: Any) -> None:
    """Refuse unless ``user`` may change ``obj`` (pilots and sites by pilot, other records by their site)."""
    if isinstance(obj, Pilot):
        require_pilot(session, user, obj.id, write=True)
    elif isinstance(obj, Site):
        require_pilot(session, user, obj.pilot_id, write=True)
    else:
        require_site(session, user, obj.site_id, write=True)


def _get_live(session: Session, model: type[Any], record_id: int) -> Any:
    obj = session.scalar(select(model).where(model.id == record_id, model.deleted_at.is_(None)))
    if obj is None:
        raise NotFound(f"Posten {model.__tablename__} {record_id} finns inte (eller är borttagen).")
    return obj


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def changes_since(session: Session, model: type[Any], record_id: int, version: int) -> dict[str, tuple[Any, Any]]:
    """Fields changed after ``version`` was saved: field → (value at ``version``, value now), from the audit trail.

    Every audited update of a versioned record raises its version by one, so the updates after
    ``version`` are the audit trail's update events from number ``version`` on (1-based).
    """
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == model.__tablename__, AuditEvent.entity_id == str(record_id),
               AuditEvent.action.in_(("update", "delete", "restore")))
        .order_by(AuditEvent.id)
    ).all()
    out: dict[str, tuple[Any, Any]] = {}
    for event in events[max(version - 1, 0):]:
        for key, new in (event.after or {}).items():
            if key in ("version", "updated_at"):
                continue
            old = (event.before or {}).get(key)
            out[key] = (out[key][0] if key in out else old, new)
    return out


def _who_changed(session: Session, model: type[Any], record_id: int) -> str:
    name = session.scalar(
        select(AuditEvent.username)
        .where(AuditEvent.entity == model.__tablename__, AuditEvent.entity_id == str(record_id),
               AuditEvent.action == "update")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return name or "någon annan"


def _conflict(session: Session, model: type[Any], record_id: int, version: int, current: Any) -> ConflictError:
    changes = changes_since(session, model, record_id, version)
    who = _who_changed(session, model, record_id)
    shown = "; ".join(f"{k}: '{_plain(a)}' → '{_plain(b)}'" for k, a, b in
                      ((k, *v) for k, v in changes.items())) or "okända fält"
    return ConflictError(
        f"Posten har ändrats av {who} sedan du öppnade den (din version {version}, nu "
        f"{getattr(current, 'version', '?')}). Deras ändringar: {shown}. Ladda om och gör din ändring igen. "
        "(Someone else changed this record since you loaded it; reload and redo your change.)",
        changes=changes,
    )


def update_record(
    session: Session,
    user: CurrentUser,
    model: type[Any],
    record_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Any:
    """Apply ``changes`` to one record if it is still at ``expected_version``; else raise ConflictError.

    Text values pass the personal-data guard; unknown or protected fields are refused.
    """
    obj = _get_live(session, model, record_id)
    check_write(session, user, obj)
    columns = {a.key for a in inspect(model).column_attrs}
    problems = [Problem(k, "fältet finns inte eller får inte ändras här (field cannot be changed)")
                for k in changes if k not in columns or k in _PROTECTED]
    if problems:
        raise ValidationError(problems)
    check_fields({k: v for k, v in changes.items() if isinstance(v, str)})
    if obj.version != expected_version:
        raise _conflict(session, model, record_id, expected_version, obj)
    for key, value in changes.items():
        setattr(obj, key, value)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise _conflict(session, model, record_id, expected_version, None) from None
    except OperationalError as exc:
        # SQLite in WAL mode refuses a write from a transaction whose read snapshot is older than a
        # commit made meanwhile ("database is locked", SQLITE_BUSY_SNAPSHOT): that is a conflict too.
        if "locked" not in str(exc):
            raise
        session.rollback()
        current = _get_live(session, model, record_id)
        if current.version != expected_version:
            raise _conflict(session, model, record_id, expected_version, current) from None
        raise WorkbenchError(
            "Databasen är upptagen av en annan sparning just nu; försök igen om en stund. "
            "(The database is busy with another save; try again.)"
        ) from None
    return obj


def soft_delete(session: Session, user: CurrentUser, model: type[Any], record_id: int) -> Any:
    """Mark a record deleted (it disappears from every list; an admin can restore it)."""
    obj = _get_live(session, model, record_id)
    check_write(session, user, obj)
    obj.deleted_at = utcnow()
    session.flush()
    return obj


def restore(session: Session, user: CurrentUser, model: type[Any], record_id: int) -> Any:
    """Bring a deleted record back (admins only)."""
    require_role(user, "admin")
    obj = session.scalar(select(model).where(model.id == record_id, model.deleted_at.is_not(None)))
    if obj is None:
        raise NotFound(f"Det finns ingen borttagen post {model.__tablename__} {record_id}.")
    obj.deleted_at = None
    session.flush()
    return obj


_LABEL_FIELDS = ("name", "slug", "municipality_code", "text", "indicator_code")


def _label(obj: Any) -> str:
    parts = [str(getattr(obj, f)) for f in _LABEL_FIELDS if getattr(obj, f, None)]
    text = " · ".join(parts[:2])
    return text if len(text) <= 80 else text[:77] + "…"


def deleted_records(session: Session, user: CurrentUser, model: type[Any]) -> pd.DataFrame:
    """Deleted records of one kind, newest deletion first (admins only): id, label, deleted_at, version."""
    require_role(user, "admin")
    rows = session.scalars(select(model).where(model.deleted_at.is_not(None)).order_by(model.deleted_at.desc()))
    cols = ["entity", "id", "label", "deleted_at", "version"]
    return pd.DataFrame(
        [{"entity": model.__tablename__, "id": r.id, "label": _label(r), "deleted_at": r.deleted_at,
          "version": r.version} for r in rows],
        columns=cols,
    )
