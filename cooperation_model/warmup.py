"""Fill the derived-data cache before anyone asks: per-site measures and every pilot's report evidence.

At national scale the first computation of these takes minutes (290 sites, three years of meetings);
afterwards a write to one site recomputes only that site (``pilots.derived_cache``). ``workbench serve``
runs ``keep_warm`` in a background thread of the app process so no user waits for the first computation,
and again before the time-to-live would expire the values.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cooperation_model.charts import pilot_charts
from cooperation_model.dashboard import dashboard_frame
from cooperation_model.measures import _presenter_site_measures, site_measures
from cooperation_model.report.content import gather_evidence
from cooperation_model.survey import survey_table
from pilots import db
from pilots.access import SYSTEM_USER, CurrentUser, load_current_user
from pilots.derived_cache import notice_writes, refreshing, scope_key, ttl_seconds, write_generation
from pilots.errors import AccessDenied
from pilots.models import Pilot, Survey, UserAccount
from pilots.sites import pilots_frame

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
        # The national survey as the survey page opens it (the whole country, for every reader).
        for (name,) in session.execute(select(Survey.name)):
            survey_table(session, name)
        # Every other reader scope an account has (a researcher's pilots, a municipality): the same tables
        # and catalogues, assembled from the per-site values computed above.
        t0 = time.perf_counter()
        for user in account_scopes(session):
            site_measures(session, user, today=today)
            dashboard_frame(session, user, today=today)
            for pilot_id in pilots_frame(session, user)["id"]:
                pilot_charts(session, user, int(pilot_id), networks=False)
        timings["account_scopes"] = time.perf_counter() - t0
        session.rollback()  # reads only
    return timings


def account_scopes(session: Session) -> list[CurrentUser]:
    """One active account per reader scope that is not every site's (researchers' pilots, municipalities)."""
    accounts = session.scalars(
        select(UserAccount)
        .where(UserAccount.is_active.is_(True), UserAccount.role.in_(("researcher", "municipality")))
        .order_by(UserAccount.id)
    )
    scopes: dict[tuple[object, ...], CurrentUser] = {}
    for account in accounts:
        user = load_current_user(session, account)
        scopes.setdefault(scope_key(user), user)
    return list(scopes.values())


def warm_round(engine: Engine, *, margin: float = 0.0, settle: bool = True) -> dict[str, float]:
    """One round of the server's warm-up (``keep_warm``): fill the cache (recomputing what would expire
    within ``margin`` seconds), then, with ``settle``, settle the heap; seconds per part."""
    with refreshing(margin):
        timings = warm_derived_cache(engine)
    if settle:
        t0 = time.perf_counter()
        settle_heap()
        timings["settle_heap"] = time.perf_counter() - t0
    return timings


def settle_heap() -> None:
    """One full collection now, then the surviving objects out of the cycle collector's sight (``gc.freeze``).

    The warm cache holds millions of long-lived objects at national scale; without this, every full
    collection walks them all (~0.15 s, at whatever moment a page is being built). Whatever was frozen is
    unfrozen and collected again at the next round, so values the cache has let go of since are freed then.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


# How often the warm-up looks for writes (this process's, and other processes' through the audit trail).
WRITE_CHECK_SECONDS = 5.0


def keep_warm(engine: Engine, stop: threading.Event | None = None) -> None:
    """Warm the cache now, again soon after any write (a write drops the tables derived from many sites:
    only the written sites' own values are recomputed) and every half time-to-live, renewing each value
    before it would expire, until ``stop`` is set. At national scale a renewal round recomputes every site:
    background work on a spare core instead of a user waiting; ``WORKBENCH_WARM_CACHE=0`` turns it off."""
    stop = stop or threading.Event()
    last = 0.0
    renewing, first = False, True
    while not stop.is_set():
        ttl = ttl_seconds()
        if ttl <= 0:
            return
        started = time.perf_counter()
        try:
            # A renewal recomputes what would expire before the next round ends; after a write only what it
            # dropped is recomputed, and the heap (one full collection) is settled only at the first round
            # and at renewals, not after every burst of writes.
            warm_round(engine, margin=ttl * 0.5 + last if renewing else 0.0, settle=first or renewing)
            first = False
        except Exception:  # noqa: BLE001 - a failed warm-up only means users compute on their first visit
            log.exception("warming the derived-data cache failed")
        last = time.perf_counter() - started
        log.info("derived-data cache warmed in %.1f s", last)
        seen = write_generation()
        renew_at = time.monotonic() + max(ttl * 0.5, 5.0)
        renewing = True
        while not stop.wait(min(WRITE_CHECK_SECONDS, max(0.0, renew_at - time.monotonic()))):
            if time.monotonic() >= renew_at:
                break
            try:
                notice_writes(engine)
            except Exception:  # noqa: BLE001 - the database is away for a moment: look again later
                log.exception("looking for writes failed")
            if write_generation() != seen:
                renewing = False
                break


def start_keep_warm(engine: Engine) -> threading.Thread:
    """``keep_warm`` in a daemon thread."""
    thread = threading.Thread(target=keep_warm, args=(engine,), name="derived-cache-warmup", daemon=True)
    thread.start()
    return thread
