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
