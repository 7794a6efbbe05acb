"""The derived-data cache: a value is computed once, and any write (ORM flush or ORM insert) drops it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

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


def _two_sites(engine) -> tuple[int, int, int, list[int]]:
    """Two sites of one pilot; the first has two actors and a forum. Returns (site a, site b, forum, actors)."""
    from pilots.meetings import create_actor, create_forum
    from pilots.sites import add_site, create_pilot

    with db.session_scope(engine, user=SYSTEM_USER) as s:
        pilot = create_pilot(s, SYSTEM_USER, slug="scoped", name="Pilot", purpose="",
                             start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
        a = add_site(s, SYSTEM_USER, pilot, "2482")
        b = add_site(s, SYSTEM_USER, pilot, "1880")
        actors = [create_actor(s, SYSTEM_USER, a.id, name=n, sector="skola", level="operativ").id
                  for n in ("Skolan", "Elevhälsan")]
        forum = create_forum(s, SYSTEM_USER, a.id, name="Operativ grupp", level="operativ", cadence="manadsvis",
                             purpose="Samordna", member_ids=actors)
        return a.id, b.id, forum.id, actors


def test_a_meeting_drops_only_its_own_sites_values_and_the_aggregates(engine) -> None:
    from pilots.meetings import MeetingInput, log_meeting

    site_a, site_b, forum, actors = _two_sites(engine)
    invalidate()
    calls_a, compute_a = _counter()
    calls_b, compute_b = _counter()
    calls_all, compute_all = _counter()

    def read() -> None:
        with db.session_scope(engine, user=SYSTEM_USER) as s:
            cached(s, "site measure", compute_a, site_id=site_a)
            cached(s, "site measure", compute_b, site_id=site_b)
            cached(s, "all sites", compute_all)

    read()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        log_meeting(s, SYSTEM_USER, MeetingInput(forum_id=forum, meeting_date=date(2025, 3, 4), attended=actors))
    read()
    assert (len(calls_a), len(calls_b), len(calls_all)) == (2, 1, 2)  # site b kept its value
    with db.session_scope(engine, user=SYSTEM_USER) as s:  # attendance alone is traced through its meeting
        from pilots.models import MeetingAttendance

        attendance = s.scalars(select(MeetingAttendance)).first()
        attendance.attended = False
    read()
    assert (len(calls_a), len(calls_b), len(calls_all)) == (3, 1, 3)


def test_a_write_not_tied_to_a_site_drops_every_sites_values(engine) -> None:
    site_a, site_b, _, _ = _two_sites(engine)
    invalidate()
    calls_b, compute_b = _counter()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        cached(s, "site measure", compute_b, site_id=site_b)
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        s.scalars(select(Pilot)).one().name = "Pilot (omdöpt)"
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        cached(s, "site measure", compute_b, site_id=site_b)
    assert len(calls_b) == 2


def test_moving_a_record_to_another_site_drops_both_sites_values(engine) -> None:
    from pilots.models import Actor

    site_a, site_b, _, actors = _two_sites(engine)
    invalidate()
    calls_b, compute_b = _counter()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        cached(s, "site measure", compute_b, site_id=site_b)
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        s.get(Actor, actors[0]).site_id = site_b
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        cached(s, "site measure", compute_b, site_id=site_b)
    assert len(calls_b) == 2


def test_another_processs_meeting_reaches_this_cache_through_the_audit_trail(engine, monkeypatch) -> None:
    from pilots import derived_cache
    from pilots.meetings import MeetingInput, log_meeting

    site_a, site_b, forum, actors = _two_sites(engine)
    invalidate()
    monkeypatch.setattr(derived_cache, "AUDIT_CHECK_SECONDS", 0.0)
    calls_a, compute_a = _counter()
    calls_b, compute_b = _counter()

    def read() -> None:
        with db.session_scope(engine, user=SYSTEM_USER) as s:
            cached(s, "site measure", compute_a, site_id=site_a)
            cached(s, "site measure", compute_b, site_id=site_b)

    read()
    # Another process logs a meeting: its flush events never fire here, so suppress ours while writing.
    monkeypatch.setattr(derived_cache, "invalidate_sites", lambda _sites: None)
    monkeypatch.setattr(derived_cache, "invalidate", lambda: None)
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        log_meeting(s, SYSTEM_USER, MeetingInput(forum_id=forum, meeting_date=date(2025, 3, 4), attended=actors))
    monkeypatch.undo()
    monkeypatch.setattr(derived_cache, "AUDIT_CHECK_SECONDS", 0.0)
    read()
    assert (len(calls_a), len(calls_b)) == (2, 1), "site a recomputed after the other process's meeting; b kept"


def test_readers_of_every_site_share_derived_tables_and_others_do_not() -> None:
    from pilots.access import CurrentUser
    from pilots.derived_cache import scope_key

    admin = CurrentUser(id=1, username="a", role="admin")
    mfof = CurrentUser(id=2, username="m", role="mfof")
    researcher = CurrentUser(id=3, username="r", role="researcher", pilot_ids=frozenset({1}))
    municipality = CurrentUser(id=4, username="k", role="municipality", municipality_code="2482")
    assert scope_key(admin) == scope_key(mfof)
    assert len({scope_key(admin), scope_key(researcher), scope_key(municipality)}) == 3
