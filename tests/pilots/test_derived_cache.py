"""The derived-data cache: a value is computed once, and any write (ORM flush or ORM insert) drops it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert

from pilots import db
from pilots.access import SYSTEM_USER
from pilots.derived_cache import cached, invalidate
from pilots.models import AuditEvent, Pilot


def _counter() -> tuple[list[int], object]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def test_value_is_computed_once_until_a_write(engine) -> None:
    invalidate()
    calls, compute = _counter()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        assert cached(s, ("k", 1), compute) == 1
        assert cached(s, ("k", 1), compute) == 1
        assert cached(s, ("k", 2), compute) == 2  # another key is its own entry
    assert len(calls) == 2
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        s.add(
            Pilot(
                slug="p1",
                name="P",
                kind="pilot",
                purpose="",
                start_date=date(2025, 1, 1),
                end_date=date(2025, 12, 31),
            )
        )
        s.flush()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        assert cached(s, ("k", 1), compute) == 3  # recomputed after the write


def test_core_insert_through_the_session_also_drops_values(engine) -> None:
    invalidate()
    calls, compute = _counter()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        cached(s, "x", compute)
        s.execute(
            insert(Pilot),
            [
                {
                    "slug": "p2",
                    "name": "P2",
                    "kind": "pilot",
                    "purpose": "",
                    "start_date": date(2025, 1, 1),
                    "end_date": date(2025, 12, 31),
                }
            ],
        )
        cached(s, "x", compute)
    assert len(calls) == 2


def test_audit_rows_alone_do_not_drop_values(engine) -> None:
    invalidate()
    calls, compute = _counter()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        cached(s, "y", compute)
        s.execute(insert(AuditEvent), [{"action": "login", "entity": "user_account", "face": "app"}])
        cached(s, "y", compute)
    assert len(calls) == 1


def test_ttl_zero_turns_the_cache_off(engine, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_CACHE_TTL", "0")
    calls, compute = _counter()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        cached(s, "z", compute)
        cached(s, "z", compute)
    assert len(calls) == 2


def test_a_write_through_a_raw_connection_drops_values(engine) -> None:
    from sqlalchemy import text

    invalidate()
    calls, compute = _counter()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        cached(s, "w", compute)
    with engine.begin() as conn:
        conn.execute(text("UPDATE municipality SET population = population WHERE code = '0114'"))
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        cached(s, "w", compute)
    assert len(calls) == 2
