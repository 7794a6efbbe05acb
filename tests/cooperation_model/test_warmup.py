"""Warming the derived-data cache: after it, pages read site measures and report evidence without computing."""

from __future__ import annotations

import threading

import pytest

from cooperation_model import warmup
from pilots import db
from pilots.access import SYSTEM_USER
from pilots.derived_cache import invalidate
from workbench.demo import load_demo


def test_warm_up_fills_what_pages_read_so_nothing_is_computed_again(engine, monkeypatch) -> None:
    load_demo(engine)
    invalidate()
    timings = warmup.warm_derived_cache(engine)
    assert "site_measures" in timings and any(k.startswith("evidence:tryggvaxt") for k in timings)

    import cooperation_model.measures as measures
    import cooperation_model.report.content as content

    def computed(*_a, **_k):
        raise AssertionError("computed again although the cache was warm")

    monkeypatch.setattr(content, "_read_site_forums", computed)
    monkeypatch.setattr(content, "_read_site_scores", computed)
    monkeypatch.setattr(measures, "_measures_for", computed)
    assert warmup.warm_derived_cache(engine)  # every value came from the cache (no AssertionError)
    with db.session_scope(engine, user=SYSTEM_USER) as s:  # and a page's read too
        measures.site_measures(s, SYSTEM_USER)


def test_keep_warm_stops_when_asked(engine, monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(warmup, "warm_derived_cache", lambda _engine: calls.append(1) or {})
    monkeypatch.setenv("WORKBENCH_CACHE_TTL", "10")
    stop = threading.Event()
    thread = threading.Thread(target=warmup.keep_warm, args=(engine, stop))
    thread.start()
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert calls == [1]


@pytest.mark.parametrize("value,started", [("0", False), ("1", True)])
def test_the_app_warms_only_when_serve_asks(value: str, started: bool, monkeypatch) -> None:
    from workbench import widgets

    monkeypatch.setenv(warmup.WARM_ENV, value)
    monkeypatch.setattr(warmup, "start_keep_warm", lambda _engine: None)
    widgets.cache_warmer.clear()
    assert widgets.cache_warmer(f"sqlite:///warm-{value}.db") is started


def test_warm_up_covers_each_accounts_reader_scope(engine, monkeypatch) -> None:
    # A researcher's or a municipality's dashboard and chart catalogue are their own tables (their sites
    # only): warmed too, so their first visit after a start finds them.
    from sqlalchemy import select

    import cooperation_model.charts as charts
    import cooperation_model.dashboard as dashboard
    from pilots.access import load_current_user
    from pilots.models import UserAccount
    from pilots.sites import pilots_frame

    load_demo(engine)
    invalidate()
    timings = warmup.warm_derived_cache(engine)
    assert "account_scopes" in timings
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        scopes = warmup.account_scopes(s)
        names = {u.username for u in scopes}
        forskare = load_current_user(s, s.scalar(select(UserAccount).where(UserAccount.username == "forskare")))
    assert "forskare" in names and "skelleftea" in names
    assert all(u.role in ("researcher", "municipality") for u in scopes)

    def computed(*_a, **_k):
        raise AssertionError("computed on the visit although the warm-up had done it")

    monkeypatch.setattr(charts, "evidence_charts", computed)
    monkeypatch.setattr(dashboard, "overview_frame", computed)
    with db.session_scope(engine, user=forskare) as s:
        for pilot_id in pilots_frame(s, forskare)["id"]:
            assert charts.pilot_charts(s, forskare, int(pilot_id), networks=False)
        assert len(dashboard.dashboard_frame(s, forskare))


def test_keep_warm_warms_again_soon_after_a_write(engine, monkeypatch) -> None:
    import time

    import pilots.derived_cache as derived_cache
    from pilots.derived_cache import invalidate_sites, notice_writes

    monkeypatch.setattr(derived_cache, "AUDIT_CHECK_SECONDS", 0.0)
    notice_writes(engine)  # what earlier tests wrote to this database is seen before the thread starts
    calls: list[float] = []
    settled: list[int] = []
    monkeypatch.setattr(warmup, "warm_derived_cache", lambda _engine: calls.append(time.monotonic()) or {})
    monkeypatch.setattr(warmup, "settle_heap", lambda: settled.append(len(calls)))
    monkeypatch.setattr(warmup, "WRITE_CHECK_SECONDS", 0.05)
    monkeypatch.setenv("WORKBENCH_CACHE_TTL", "3600")  # renewal would come after half an hour
    stop = threading.Event()
    thread = threading.Thread(target=warmup.keep_warm, args=(engine, stop))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        assert len(calls) == 1  # nothing written: no second round
        invalidate_sites([1])  # a write to one site
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(calls) == 2
        assert settled == [1]  # the heap is settled after the first round, not after a write's round
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_warm_round_collects_garbage_then_keeps_the_cache_out_of_the_collectors_way(engine) -> None:
    import gc
    import weakref

    class Node:
        pass

    load_demo(engine)
    invalidate()
    first, second = Node(), Node()
    first.other, second.other = second, first  # a cycle only the collector frees
    gone = weakref.ref(first)
    del first, second
    try:
        timings = warmup.warm_round(engine)
        assert gone() is None  # collected before freezing: nothing that was garbage stays frozen
        assert gc.get_freeze_count() > 0  # the warm values are out of later full collections
        assert "settle_heap" in timings and "site_measures" in timings
    finally:
        gc.unfreeze()
