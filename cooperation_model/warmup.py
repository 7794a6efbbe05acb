"""Fill the derived-data cache before anyone asks: per-site measures and every pilot's report evidence.

At national scale the first computation of these takes minutes (290 sites, three years of meetings);
afterwards a write to one site recomputes only that site (``pilots.derived_cache``). ``workbench serve``
runs ``keep_warm`` in a background thread of the app process so no user waits for the first computation,
and again before the time-to-live would expire the values.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date

from sqlalchemy import Engine, select

from cooperation_model.charts import pilot_charts
from cooperation_model.dashboard import dashboard_frame
from cooperation_model.measures import _presenter_site_measures, site_measures
from cooperation_model.report.content import gather_evidence
from pilots import db
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.errors import AccessDenied
from pilots.derived_cache import refreshing, ttl_seconds
from pilots.models import Pilot

WARM_ENV = "WORKBENCH_WARM_CACHE"
log = logging.getLogger(__name__)


def warm_derived_cache(engine: Engine, *, today: date | None = None) -> dict[str, float]:
    """Compute (or find cached) what pages read from the derived-data cache: the site measures and dashboard
    overview, each live pilot's report evidence and chart catalogue, presenters' aggregates; seconds per part."""
    timings: dict[str, float] = {}
    with db.session_scope(engine, user=SYSTEM_USER, face="system") as session:
        t0 = time.perf_counter()
        site_measures(session, SYSTEM_USER, today=today)
        dashboard_frame(session, SYSTEM_USER, today=today)
        timings["site_measures"] = time.perf_counter() - t0
        pilots = session.execute(select(Pilot.id, Pilot.slug).where(Pilot.deleted_at.is_(None)).order_by(Pilot.id))
        presenter = CurrentUser(id=None, username="warm-up", role="presenter")
        for pilot_id, slug in pilots.all():
            t0 = time.perf_counter()
            gather_evidence(session, SYSTEM_USER, int(pilot_id))
            # the charts page's catalogue, for everyone who reads every site and for presenters (Swedish)
            pilot_charts(session, SYSTEM_USER, int(pilot_id), networks=False)
            try:
                pilot_charts(session, presenter, int(pilot_id), networks=False)
            except AccessDenied:
                pass  # a pilot presenters may not see
            timings[f"evidence:{slug}"] = time.perf_counter() - t0
        # What presenters' aggregates are built from (every pilot's sites; suppressed before they leave).
        t0 = time.perf_counter()
        _presenter_site_measures(session, presenter, None)
        timings["presenter_site_measures"] = time.perf_counter() - t0
        session.rollback()  # reads only
    return timings


def keep_warm(engine: Engine, stop: threading.Event | None = None) -> None:
    """Warm the cache now and every half time-to-live, renewing each value before it would expire, until
    ``stop`` is set. At national scale a renewal round recomputes every site: background work on a spare
    core instead of a user waiting; ``WORKBENCH_WARM_CACHE=0`` turns it off."""
    stop = stop or threading.Event()
    last = 0.0
    while not stop.is_set():
        ttl = ttl_seconds()
        if ttl <= 0:
            return
        started = time.perf_counter()
        try:
            with refreshing(ttl * 0.5 + last):  # renew what would expire before the next round ends
                warm_derived_cache(engine)
        except Exception:  # noqa: BLE001 - a failed warm-up only means users compute on their first visit
            log.exception("warming the derived-data cache failed")
        last = time.perf_counter() - started
        log.info("derived-data cache warmed in %.1f s", last)
        stop.wait(max(ttl * 0.5, 5.0))


def start_keep_warm(engine: Engine) -> threading.Thread:
    """``keep_warm`` in a daemon thread."""
    thread = threading.Thread(target=keep_warm, args=(engine,), name="derived-cache-warmup", daemon=True)
    thread.start()
    return thread
