"""Measure the workbench at national scale against the demo dataset and print every figure with its target.

Usage::

    python benchmarks/run.py [--dataset DIR] [--database URL] [--skip-pages] [--json OUT]

Without ``--database`` the national dataset (``--dataset``, generated there first when missing) is loaded
into a SQLite file under ``--work``; the demo dataset always goes into its own database beside it. With
``WORKBENCH_BENCH_POSTGRES_URL`` set, the same measurements run on PostgreSQL too (one schema per dataset).
Targets are ratios inside one run, so machine noise cancels; nothing here is asserted as a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PG_ENV = "WORKBENCH_BENCH_POSTGRES_URL"
APP = ROOT / "workbench" / "app.py"
N_CHARTS = 40
PAGE_TIMEOUT_S = float(os.environ.get("WORKBENCH_BENCH_PAGE_TIMEOUT", "120"))
# (figure name, numerator, denominator, limit): numerator/denominator must stay at or below limit
# (for "min" targets, at or above).
FIGURE_NAMES = (
    "meeting_import_rows_per_s",
    "raw_insert_rows_per_s",
    "network_metrics_s",
    "network_read_attendance_s",
    "site_measures_s",
    "compare_measure_s",
    "group_summary_s",
    "dashboard_frame_s",
    "pilot_report_s",
    "chart_export_1_s",
    f"chart_export_{N_CHARTS}_s",
    "peak_memory_demo_mb",
    "peak_memory_national_mb",
    "page_cold_s",
    "page_warm_s",
    "derived_cache_prime_demo_s",
    "derived_cache_prime_national_s",
)


class _Rollback(Exception):
    """Raised to leave a measuring transaction without keeping its writes."""


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def _timed_without_gc(fn: Callable[[], Any]) -> tuple[float, Any]:
    """``_timed`` with the cycle collector paused, as ``timeit`` times."""
    from pilots.importing import cycle_collector_paused

    with cycle_collector_paused():
        return _timed(fn)


# --- databases ------------------------------------------------------------------------------------------


def _pg_schema_url(base: str, schema: str) -> str:
    from sqlalchemy import text

    from pilots import db

    admin = db.make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def _has_pilot(url: str, slug: str) -> bool:
    from sqlalchemy import inspect, select

    from pilots import db
    from pilots.models import Pilot

    engine = db.make_engine(url)
    try:
        if "pilot" not in inspect(engine).get_table_names():
            return False
        with db.session_scope(engine, face="system") as s:
            return s.scalar(select(Pilot.id).where(Pilot.slug == slug)) is not None
    finally:
        engine.dispose()


def ensure_national(dataset: Path, url: str, seed: int, scale: str) -> dict[str, Any]:
    """Generate the dataset when missing and load it when the database does not hold it yet."""
    import generate

    if not (dataset / "manifest.json").exists():
        print(f"generating {scale} dataset into {dataset} ...", flush=True)
        generate.generate(dataset, seed, scale)
    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    if not _has_pilot(url, manifest["pilot"]):
        print(f"loading {dataset} into {_safe(url)} ...", flush=True)
        generate.load(dataset, url)
    else:  # loaded by an earlier version: bring the schema up to date (and the planner statistics)
        from pilots import db
        from workbench.database import prepare_workbench

        engine = db.make_engine(url)
        try:
            prepare_workbench(engine)
        finally:
            engine.dispose()
    return manifest


def ensure_demo(url: str) -> None:
    from pilots import db
    from workbench.demo import has_demo, load_demo

    engine = db.make_engine(url)
    try:
        from workbench.database import prepare_workbench

        prepare_workbench(engine)
        if not has_demo(engine):
            print(f"loading the demo dataset into {_safe(url)} ...", flush=True)
            load_demo(engine)
    finally:
        engine.dispose()


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def _scratch(url: str, work: Path) -> Iterator[str]:
    """A scratch copy of the database: a file copy for SQLite; for PostgreSQL the same database (the
    measuring transaction is rolled back)."""
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        source = make_url(url).database
        target = work / "scratch.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        src.backup(dst)
        src.close()
        dst.close()
        try:
            yield f"sqlite:///{target}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
    else:
        yield url


# --- measurements -----------------------------------------------------------------------------------------

MEETING_TABLES = ("meeting", "meeting_attendance", "meeting_action")


def measure_import(url: str, dataset: Path, work: Path) -> dict[str, Any]:
    """Meeting import (parse, validate, write) next to plain executemany of the same rows (scratch copy)."""
    import generate

    from pilots import db
    from pilots.access import SYSTEM_USER
    from pilots.importing import run_import
    from pilots.meetings_import import MEETINGS_IMPORTER

    out: dict[str, Any] = {}
    with _scratch(url, work) as scratch:
        engine = db.make_engine(scratch)
        try:
            with db.session_scope(engine, user=SYSTEM_USER, face="import") as s:
                raw = s.connection().connection.dbapi_connection
                assert raw is not None
                mark = "?" if scratch.startswith("sqlite") else "%s"
                cur = raw.cursor()
                snapshot: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
                for table in MEETING_TABLES:
                    cur.execute(f"SELECT * FROM {table}")
                    snapshot[table] = ([d[0] for d in cur.description], cur.fetchall())
                rows = sum(len(r) for _, r in snapshot.values())

                def clear() -> None:
                    if mark == "%s":  # PostgreSQL: TRUNCATE (rolled back with the transaction); a DELETE checks
                        # every meeting against the unindexed follow-up column of the emptied action table
                        cur.execute(f"TRUNCATE {', '.join(MEETING_TABLES)} CASCADE")
                        return
                    cur.execute("UPDATE meeting_action SET followed_up_at_meeting_id = NULL")
                    for table in reversed(MEETING_TABLES):
                        cur.execute(f"DELETE FROM {table}")

                clear()

                def raw_insert() -> None:
                    for table in MEETING_TABLES:
                        columns, data = snapshot[table]
                        cur.executemany(
                            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                            f"({', '.join([mark] * len(columns))})",
                            data,
                        )

                raw_s, _ = _timed(raw_insert)
                clear()
                import_s, results = _timed(
                    lambda: [
                        run_import(s, SYSTEM_USER, MEETINGS_IMPORTER, path)
                        for path in generate.meeting_files(dataset)
                    ]
                )
                raise _Rollback
        except _Rollback:
            pass
        finally:
            engine.dispose()
    out.update(
        {
            "rows": rows,
            "meetings": sum(r.created for r in results),
            "raw_insert_s": raw_s,
            "meeting_import_s": import_s,
            "raw_insert_rows_per_s": rows / raw_s,
            "meeting_import_rows_per_s": rows / import_s,
        }
    )
    return out


def _user(session: Any, role: str) -> Any:
    """A user of ``role``: the benchmark's account (bench-*) when there is one, else the demo's first."""
    from sqlalchemy import select

    from pilots.access import load_current_user
    from pilots.models import UserAccount

    accounts = session.scalars(
        select(UserAccount).where(UserAccount.role == role).order_by(UserAccount.id)
    ).all()
    preferred = {
        "admin": "admin",
        "researcher": "forskare",
        "mfof": "mfof",
        "municipality": "skelleftea",
        "presenter": "presentator",
    }
    accounts = sorted(
        accounts, key=lambda a: (not a.username.startswith("bench-"), a.username != preferred.get(role), a.id)
    )
    return load_current_user(session, accounts[0]) if accounts else None


def measure_network(url: str) -> dict[str, Any]:
    """Quarterly network metrics for every site (``sites_metrics_by_period``: read, pair counts, one graph per
    site and quarter) next to only reading their input rows (``sites_attendance_frames``, the same three
    queries into frames), and, for reference, the attendance rows alone through the driver's cursor."""
    from sqlalchemy import text

    from cooperation_model.site_network import sites_metrics_by_period
    from pilots import db
    from pilots.meetings import sites_attendance_frames

    engine = db.make_engine(url)
    try:
        with db.session_scope(engine, face="app") as s:
            user = _user(s, "admin")

            def read() -> tuple[int, int]:
                actors, meetings, attendance = sites_attendance_frames(s, user)
                return len(attendance), int(meetings["site_id"].nunique())

            def raw_read() -> int:
                cur = s.connection().exec_driver_sql(
                    "SELECT a.meeting_id, a.actor_id, a.attended, m.meeting_date, f.site_id "
                    "FROM meeting_attendance a JOIN meeting m ON m.id = a.meeting_id "
                    "JOIN forum f ON f.id = m.forum_id WHERE m.deleted_at IS NULL AND f.deleted_at IS NULL"
                )
                return len(cur.fetchall())

            s.execute(text("SELECT 1"))
            read_s, (n_rows, n_sites) = _timed(read)
            raw_s, _ = _timed(raw_read)
            metrics_s, frame = _timed(lambda: sites_metrics_by_period(s, user, "quarter"))
    finally:
        engine.dispose()
    return {
        "sites": n_sites,
        "attendance_rows": n_rows,
        "site_periods": len(frame),
        "network_read_attendance_s": read_s,
        "network_read_attendance_raw_s": raw_s,
        "network_metrics_s": metrics_s,
    }


def measure_views(url: str) -> dict[str, Any]:
    """Comparison views (measures, one comparison, presenter aggregate, dashboard) and one pilot's report."""
    from sqlalchemy import func, select

    from pilots import db
    from pilots.derived_cache import invalidate
    from pilots.models import Site

    invalidate()
    out: dict[str, Any] = {}
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine, face="app") as s:
            user = _user(s, "admin")
            pilot_id = s.scalar(
                select(Site.pilot_id).group_by(Site.pilot_id).order_by(func.count().desc()).limit(1)
            )
            try:
                from cooperation_model.measures import compare_measure, group_summary, site_measures

                out["site_measures_s"], frame = _timed(lambda: site_measures(s, user))
                measure = next(
                    (k for k in frame.attrs.get("measures", {}) if frame[k].notna().sum() >= 4), None
                )
                if measure:
                    out["compare_measure_s"], _ = _timed(
                        lambda: compare_measure(frame, measure, "size_class")
                    )
                    out["group_summary_s"], _ = _timed(lambda: group_summary(s, user, measure, "size_class"))
            except ImportError as err:
                out["views_note"] = f"comparison views not available: {err}"
            try:
                from cooperation_model.dashboard import dashboard_frame

                out["dashboard_frame_s"], _ = _timed(lambda: dashboard_frame(s, user))
            except ImportError as err:
                out["dashboard_note"] = f"dashboard not available: {err}"
            out["pilot_id"] = pilot_id
    finally:
        engine.dispose()
    return out


REPORT_TIMEOUT_S = 1200


def measure_report(url: str, pilot_id: int, work: Path) -> dict[str, Any]:
    """The report for one pilot, in a subprocess stopped after REPORT_TIMEOUT_S (noted as not finished)."""
    out_file = work / "report.json"
    out_file.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__)),
        "_report",
        "--database",
        url,
        "--pilot",
        str(pilot_id),
        "--json",
        str(out_file),
    ]
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=REPORT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {
            "pilot_report_s": None,
            "report_note": f"the pilot report did not finish within {REPORT_TIMEOUT_S} s",
        }
    if done.returncode != 0 or not out_file.exists():
        return {"report_note": f"the pilot report failed: {done.stderr[-500:]}"}
    result: dict[str, Any] = json.loads(out_file.read_text(encoding="utf-8"))
    result["pilot_report_process_s"] = time.perf_counter() - t0
    return result


def _report_main(url: str, pilot_id: int) -> dict[str, Any]:
    from pilots import db

    report = _report_builder()
    if report is None:
        return {"report_note": "cooperation_model.report has no pilot report builder yet"}
    engine = db.make_engine(url)
    try:
        # First build in a fresh process (every site's evidence computed), then again as in the running app
        # (evidence from the derived-data cache; figures rendered and the DOCX written both times).
        with db.session_scope(engine, face="app") as s, tempfile.TemporaryDirectory() as tmp:
            user = _user(s, "admin")
            cold, _ = _timed(lambda: report(s, user, pilot_id, Path(tmp)))
            warm, _ = _timed(lambda: report(s, user, pilot_id, Path(tmp)))
    finally:
        engine.dispose()
    return {"pilot_report_s": warm, "pilot_report_first_s": cold}


def _report_builder() -> Callable[[Any, Any, int, Path], Any] | None:
    """The pilot report: its content gathered from the database and written as DOCX (figures rendered)."""
    try:
        from cooperation_model.report import build_report, write_report
    except ImportError:
        return None

    def run(session: Any, user: Any, pilot_id: int, tmp: Path) -> Any:
        return write_report(build_report(session, user, pilot_id), tmp / "rapport.docx")

    return run


def measure_charts(work: Path) -> dict[str, Any]:
    """Export of one chart next to a batch of 40 (PNG, one browser per batch)."""
    import plotly.graph_objects as go

    from cooperation_model.export import export_figure, export_figures

    def figure(i: int) -> go.Figure:
        return go.Figure(
            go.Bar(x=[f"Kommun {k}" for k in range(12)], y=[(i * k) % 17 for k in range(12)]),
            layout={"title": f"Möten per kvartal – diagram {i + 1} (åäö)"},
        )

    out_dir = work / "charts"
    shutil.rmtree(out_dir, ignore_errors=True)
    try:
        one_s, _ = _timed(lambda: export_figure(figure(0), out_dir / "one.png"))
        batch_s, _ = _timed(
            lambda: export_figures([(figure(i), out_dir / f"c{i}.png") for i in range(N_CHARTS)])
        )
    except Exception as err:  # noqa: BLE001 - no browser on this machine: report, do not stop the run
        return {"chart_note": f"chart export failed: {err}"}
    return {"chart_export_1_s": one_s, f"chart_export_{N_CHARTS}_s": batch_s}


# --- pages (run in a subprocess per dataset, which also gives that process's peak memory) -------------------

ROLES = ("admin", "researcher", "mfof", "municipality", "presenter")


def render_pages(url: str) -> dict[str, Any]:
    """Cold and warm render of every page for every role that sees it; the process's peak memory."""
    os.environ["WORKBENCH_DATABASE_URL"] = url
    from datetime import datetime as _dt

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from pilots import db
    from pilots.derived_cache import invalidate
    from workbench.pages import pages_for

    engine = db.make_engine(url)
    users = {}
    with db.session_scope(engine, face="app") as s:
        for role in ROLES:
            users[role] = _user(s, role)
    engine.dispose()
    # Warm up imports and Streamlit itself once (not measured); compute the derived per-site data once.
    AppTest.from_file(str(APP), default_timeout=300).run()
    invalidate()
    # The running app warms the derived-data cache in the background (cooperation_model.warmup, started by
    # `workbench serve`): site measures and every pilot's evidence. Done once here, timed and reported.
    from cooperation_model.warmup import warm_round

    engine = db.make_engine(url)
    prime_s, _ = _timed(lambda: warm_round(engine))
    engine.dispose()
    rows = []
    for role, user in users.items():
        if user is None:
            continue
        for spec in pages_for(role):
            # Cold: a new browser session after Streamlit's caches were emptied, on a running server whose
            # derived-data cache holds the per-site metrics (computed once above, as after the first visit).
            st.cache_data.clear()
            st.cache_resource.clear()
            at = AppTest.from_file(str(APP), default_timeout=PAGE_TIMEOUT_S)
            at.session_state["user"] = user
            at.session_state["logged_in_at"] = _dt.now()
            row: dict[str, Any] = {
                "page": spec.module,
                "role": role,
                "cold_s": None,
                "warm_s": None,
                "exception": [],
            }
            try:
                at.run()
                at.switch_page(f"pages/{spec.module}.py")
                # Timed as timeit does: the garbage of the renders before (AppTest sessions) is collected first
                # and the cycle collector waits while a render is timed, so a full collection is not charged to
                # whichever page happens to set it off (the server's own heap is settled by its warm-up).
                gc.collect()
                row["cold_s"], _ = _timed_without_gc(at.run)
                # Warm: the median of five immediate reruns (one rerun alone is too exposed to noise).
                row["warm_s"] = sorted(_timed_without_gc(at.run)[0] for _ in range(5))[2]
                row["exception"] = [str(e.value)[:200] for e in at.exception]
            except Exception as err:  # noqa: BLE001 - a page that times out is a figure, not the end of the run
                row["exception"] = [f"{type(err).__name__}: {str(err)[:200]}"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    return {
        "pages": rows,
        "derived_cache_prime_s": prime_s,
        "peak_memory_kb": _peak_memory_kb(),
    }


def _peak_memory_kb() -> int:
    """This process's peak resident memory: VmHWM, which starts afresh at exec. ``ru_maxrss`` does not: a
    subprocess reports at least the size its parent had when it forked (both page runs once showed the
    parent's 543 MB to the kilobyte)."""
    try:
        with open("/proc/self/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def pages_in_subprocess(url: str, work: Path, label: str) -> dict[str, Any]:
    out = work / f"pages-{label}.json"
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), "_pages", "--database", url, "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"page renders on {label} failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


# --- the run ----------------------------------------------------------------------------------------------


def _check(name: str, value: float | None, limit: float, kind: str = "max") -> dict[str, Any]:
    if value is None:
        return {"target": name, "ratio": None, "limit": limit, "kind": kind, "status": "N/A"}
    ok = value <= limit if kind == "max" else value >= limit
    return {"target": name, "ratio": value, "limit": limit, "kind": kind, "status": "PASS" if ok else "FAIL"}


def _save_partial(work: Path, backend: str, figures: dict[str, Any]) -> None:
    """Keep what is measured so far (a long run that stops later still leaves its figures)."""
    (work / f"partial-{backend}.json").write_text(
        json.dumps(figures, default=str, indent=1), encoding="utf-8"
    )


def bench_backend(
    backend: str, national_url: str, demo_url: str, dataset: Path, work: Path, skip_pages: bool
) -> dict[str, Any]:
    """Every measurement on one backend."""
    figures: dict[str, Any] = {}
    targets: list[dict[str, Any]] = []
    print(f"[{backend}] meeting import vs raw insert ...", flush=True)
    imp = measure_import(national_url, dataset, work)
    figures.update(imp)
    targets.append(
        _check(
            "meeting import rate / raw insert rate",
            imp["meeting_import_rows_per_s"] / imp["raw_insert_rows_per_s"],
            0.2,
            "min",
        )
    )
    print(f"[{backend}] network metrics ...", flush=True)
    net = measure_network(national_url)
    figures.update(net)
    targets.append(
        _check(
            "network metrics / read attendance",
            net["network_metrics_s"] / net["network_read_attendance_s"],
            5.0,
        )
    )
    _save_partial(work, backend, figures)
    print(f"[{backend}] comparison views and report ...", flush=True)
    figures["views_national"] = measure_views(national_url)
    figures["views_demo"] = measure_views(demo_url)
    for key in ("site_measures_s", "compare_measure_s", "group_summary_s", "dashboard_frame_s"):
        if key in figures["views_national"]:
            figures[key] = figures["views_national"][key]
    if figures["views_national"].get("pilot_id") is not None:
        report = measure_report(national_url, figures["views_national"]["pilot_id"], work)
        figures["pilot_report_s"] = report.get("pilot_report_s")
        if "report_note" in report:
            figures["report_note"] = report["report_note"]
    _save_partial(work, backend, figures)
    if backend == "sqlite":
        print(f"[{backend}] chart export ...", flush=True)
        charts = measure_charts(work)
        figures.update(charts)
        one, many = charts.get("chart_export_1_s"), charts.get(f"chart_export_{N_CHARTS}_s")
        targets.append(_check(f"{N_CHARTS} charts / one chart", many / one if one and many else None, 4.0))
        _save_partial(work, backend, figures)
    if not skip_pages:
        print(f"[{backend}] page renders (demo, then national) ...", flush=True)
        demo = pages_in_subprocess(demo_url, work, f"{backend}-demo")
        national = pages_in_subprocess(national_url, work, f"{backend}-national")
        targets += page_figures(figures, demo, national)
    return {"figures": figures, "targets": targets}


def page_figures(
    figures: dict[str, Any], demo: dict[str, Any], national: dict[str, Any]
) -> list[dict[str, Any]]:
    """Page and memory figures into ``figures``; the page and memory targets. A page that failed is a FAIL."""
    targets: list[dict[str, Any]] = []
    figures["pages_demo"], figures["pages_national"] = demo["pages"], national["pages"]
    figures["derived_cache_prime_demo_s"] = demo["derived_cache_prime_s"]
    figures["derived_cache_prime_national_s"] = national["derived_cache_prime_s"]
    figures["peak_memory_demo_mb"] = demo["peak_memory_kb"] / 1024
    figures["peak_memory_national_mb"] = national["peak_memory_kb"] / 1024
    figures["page_cold_s"] = sum(p["cold_s"] or 0 for p in national["pages"])
    figures["page_warm_s"] = sum(p["warm_s"] or 0 for p in national["pages"])
    targets.append(
        _check(
            "peak memory national / demo",
            figures["peak_memory_national_mb"] / figures["peak_memory_demo_mb"],
            2.0,
        )
    )
    by_key = {(p["page"], p["role"]): p for p in demo["pages"]}
    for p in national["pages"]:
        d = by_key.get((p["page"], p["role"]))
        if d is None:
            continue
        for kind, limit in (("warm", 1.5), ("cold", 3.0)):
            name = f"page {p['page']} ({p['role']}) {kind} national / demo"
            if p[f"{kind}_s"] is None or not d.get(f"{kind}_s"):
                targets.append(
                    {
                        "target": name,
                        "ratio": None,
                        "limit": limit,
                        "kind": "max",
                        "status": "FAIL",
                        "note": "; ".join(p["exception"]),
                    }
                )
            else:
                targets.append(_check(name, p[f"{kind}_s"] / d[f"{kind}_s"], limit))
    return targets


def machine() -> dict[str, Any]:
    import sqlalchemy

    info = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "platform": platform.platform(),
    }
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            info["ram_gb"] = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def print_table(result: dict[str, Any]) -> None:
    for backend, data in result["backends"].items():
        print(f"\n== {backend} ==")
        print(f"{'figure':<40} {'value':>14}")
        for name in FIGURE_NAMES:
            value = data["figures"].get(name)
            print(f"{name:<40} {_fmt(value) if value is not None else 'n/a':>14}")
        for key in ("views_note", "report_note", "chart_note", "dashboard_note"):
            for part in (data["figures"], data["figures"].get("views_national", {})):
                if key in part:
                    print(f"  note: {part[key]}")
        pages = {(p["page"], p["role"]): p for p in data["figures"].get("pages_demo", [])}
        if pages:
            print(f"\n{'page (role)':<34} {'demo cold':>9} {'nat cold':>9} {'demo warm':>9} {'nat warm':>9}")
            for p in data["figures"].get("pages_national", []):
                d = pages.get((p["page"], p["role"]), {})
                label = f"{p['page']} ({p['role']})"
                print(
                    f"{label:<34} {d.get('cold_s') or 0:>9.3f} {p['cold_s'] or 0:>9.3f} "
                    f"{d.get('warm_s') or 0:>9.3f} {p['warm_s'] or 0:>9.3f}"
                    + ("  EXCEPTION" if p["exception"] else "")
                )
        print(f"\n{'target':<52} {'ratio':>8} {'limit':>8}  result")
        for t in data["targets"]:
            ratio = "n/a" if t["ratio"] is None else f"{t['ratio']:.2f}"
            sign = "≤" if t["kind"] == "max" else "≥"
            print(f"{t['target']:<52} {ratio:>8} {sign}{t['limit']:>7}  {t['status']}")


def markdown_table(result: dict[str, Any]) -> str:
    """The README's summary: machine, then per backend every target with its figures, ratio and result."""
    m = result["machine"]
    lines = [
        f"Measured {result['measured_at']} on {m['nproc']} CPUs, {m.get('ram_gb', '?')} GB RAM, Python "
        f"{m['python']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {m['postgresql']}" if "postgresql" in m else "")
        + f"; dataset: {result.get('scale')} ({result.get('counts', {}).get('meetings', '?')} meetings).",
        "",
        "| backend | target | ratio | limit | result |",
        "|---|---|---|---|---|",
    ]
    for backend, data in result["backends"].items():
        pages = [t for t in data["targets"] if t["target"].startswith("page ")]
        others = [t for t in data["targets"] if not t["target"].startswith("page ")]
        for t in others:
            ratio = "n/a" if t["ratio"] is None else f"{t['ratio']:.2f}"
            sign = "≤" if t["kind"] == "max" else "≥"
            lines.append(f"| {backend} | {t['target']} | {ratio} | {sign} {t['limit']} | {t['status']} |")
        for kind in ("warm", "cold"):
            group = [t for t in pages if f" {kind} " in t["target"]]
            if group:
                failed = [t for t in group if t["status"] == "FAIL"]
                worst = max(group, key=lambda t: float("inf") if t["ratio"] is None else t["ratio"])
                lines.append(
                    f"| {backend} | pages {kind}: {len(group) - len(failed)} of {len(group)} page×role in "
                    f"limit; worst {worst['target'][5:]} | "
                    f"{'failed' if worst['ratio'] is None else format(worst['ratio'], '.2f')} | "
                    f"≤ {worst['limit']} | "
                    f"{'PASS' if not failed else 'FAIL'} |"
                )
        f = data["figures"]
        figs = ", ".join(f"{k} {_fmt(f[k])}" for k in FIGURE_NAMES if isinstance(f.get(k), (int, float)))
        lines.append(f"| {backend} | figures | {figs} | | |")
    return "\n".join(lines)


def _assemble(work: Path, dataset: Path, json_out: Path | None, backends: Sequence[str] = ("sqlite",)) -> int:
    result: dict[str, Any] = {}
    for backend in backends:
        part = _assemble_backend(work, dataset, backend)
        result = {**part, "backends": {**result.get("backends", {}), **part["backends"]}}
    print_table(result)
    print("\nREADME table:\n" + markdown_table(result))
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


def _assemble_backend(work: Path, dataset: Path, backend: str) -> dict[str, Any]:
    figures = json.loads((work / f"partial-{backend}.json").read_text(encoding="utf-8"))
    targets = [
        _check(
            "meeting import rate / raw insert rate",
            figures["meeting_import_rows_per_s"] / figures["raw_insert_rows_per_s"],
            0.2,
            "min",
        ),
        _check(
            "network metrics / read attendance",
            figures["network_metrics_s"] / figures["network_read_attendance_s"],
            5.0,
        ),
    ]
    one, many = figures.get("chart_export_1_s"), figures.get(f"chart_export_{N_CHARTS}_s")
    targets.append(_check(f"{N_CHARTS} charts / one chart", many / one if one and many else None, 4.0))
    demo = json.loads((work / f"pages-{backend}-demo.json").read_text(encoding="utf-8"))
    national = json.loads((work / f"pages-{backend}-national.json").read_text(encoding="utf-8"))
    targets += page_figures(figures, demo, national)
    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    result = {
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "dataset": str(dataset),
        "counts": manifest["counts"],
        "scale": manifest["scale"],
        "backends": {backend: {"figures": figures, "targets": targets}},
    }
    if backend == "postgresql" and os.environ.get(PG_ENV):
        result["machine"]["postgresql"] = _pg_version(_pg_schema_url(os.environ[PG_ENV], "bench_national"))
    return result


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_assemble":
        # Rebuild the result from a run's saved parts (partial figures and the two page files) and print it.
        parser = argparse.ArgumentParser(prog="run.py _assemble")
        parser.add_argument("--work", type=Path, required=True)
        parser.add_argument("--dataset", type=Path, required=True)
        parser.add_argument("--json", type=Path)
        parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"))
        args = parser.parse_args(argv[1:])
        return _assemble(args.work, args.dataset, args.json, args.backend or ["sqlite"])
    if argv and argv[0] == "_report":
        parser = argparse.ArgumentParser(prog="run.py _report")
        parser.add_argument("--database", required=True)
        parser.add_argument("--pilot", type=int, required=True)
        parser.add_argument("--json", type=Path, required=True)
        args = parser.parse_args(argv[1:])
        args.json.write_text(json.dumps(_report_main(args.database, args.pilot)), encoding="utf-8")
        return 0
    if argv and argv[0] == "_pages":
        parser = argparse.ArgumentParser(prog="run.py _pages")
        parser.add_argument("--database", required=True)
        parser.add_argument("--json", type=Path, required=True)
        args = parser.parse_args(argv[1:])
        args.json.write_text(json.dumps(render_pages(args.database)), encoding="utf-8")
        return 0
    parser = argparse.ArgumentParser(prog="run.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dataset",
        type=Path,
        default=Path("/tmp/national"),
        help="generated dataset folder (generated here when missing)",
    )
    parser.add_argument(
        "--scale",
        choices=("national", "small"),
        default="national",
        help="scale to generate when the dataset folder is empty",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", help="national database URL (default: SQLite file under --work)")
    parser.add_argument("--work", type=Path, default=None, help="folder for databases and scratch files")
    parser.add_argument("--skip-pages", action="store_true", help="leave out the page renders and memory")
    parser.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"),
                        help="measure only this backend (repeatable; default: SQLite, and PostgreSQL when "
                        f"{PG_ENV} is set)")
    args = parser.parse_args(argv)
    work = args.work or args.dataset.with_name(args.dataset.name + "-work")
    work.mkdir(parents=True, exist_ok=True)

    runs: list[tuple[str, str, str]] = []
    if args.database and not args.database.startswith("sqlite"):
        runs.append(("postgresql", args.database, _pg_schema_url(args.database, "bench_demo")))
    else:
        runs.append(
            ("sqlite", args.database or f"sqlite:///{work / 'national.db'}", f"sqlite:///{work / 'demo.db'}")
        )
        if os.environ.get(PG_ENV):
            base = os.environ[PG_ENV]
            runs.append(
                ("postgresql", _pg_schema_url(base, "bench_national"), _pg_schema_url(base, "bench_demo"))
            )
    result: dict[str, Any] = {
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "dataset": str(args.dataset),
        "backends": {},
    }
    if args.backend:
        runs = [r for r in runs if r[0] in args.backend]
        if not runs:
            parser.error(f"no such backend to run (PostgreSQL needs {PG_ENV})")
    for backend, national_url, demo_url in runs:
        manifest = ensure_national(args.dataset, national_url, args.seed, args.scale)
        ensure_demo(demo_url)
        result["counts"] = manifest["counts"]
        result["scale"] = manifest["scale"]
        if backend == "postgresql":
            result["machine"]["postgresql"] = _pg_version(national_url)
        result["backends"][backend] = bench_backend(
            backend, national_url, demo_url, args.dataset, work, args.skip_pages
        )
        (work / f"result-{backend}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
    print_table(result)
    print("\nREADME table:\n" + markdown_table(result))
    text = json.dumps(result, ensure_ascii=False, indent=1, default=str)
    print("\nJSON:")
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text, encoding="utf-8")
    return 0


def _pg_version(url: str) -> str:
    from sqlalchemy import text

    from pilots import db

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
