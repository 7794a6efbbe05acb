"""Crash safety: an import killed (SIGKILL) in the middle of its transaction leaves the database unchanged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from pilots import db
from pilots.access import SYSTEM_USER
from pilots.models import AuditEvent, LogEntry, LogTag, Site
from pilots.sites import add_site, create_pilot

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1500

# The child imports a big log file through run_import and stops right after the rows are written to the
# database (flushed, not committed), announcing it; the test then kills it with SIGKILL.
CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from pilots import db
    from pilots.access import SYSTEM_USER
    from pilots.importing import run_import
    from workbench.importers import importer_for

    @event.listens_for(Session, "after_flush")
    def _stop_mid_transaction(session, _ctx):
        if session.info.get("face") == "import":
            print("WRITTEN", flush=True)
            time.sleep(120)

    engine = db.make_engine(sys.argv[1])
    with db.session_scope(engine, user=SYSTEM_USER, face="import") as session:
        run_import(session, SYSTEM_USER, importer_for("log"), open(sys.argv[2], "rb").read(), "logg.csv")
    print("COMMITTED", flush=True)
    """
)


def _state(engine: Engine) -> tuple[int, int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (LogEntry.__table__, LogTag.__table__, AuditEvent.__table__, Site.__table__)
        )


def test_import_killed_mid_transaction_leaves_the_database_unchanged(engine, tmp_path: Path) -> None:
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        pilot = create_pilot(
            s,
            SYSTEM_USER,
            slug="trygg",
            name="Trygg",
            purpose="",
            start_date=date(2020, 1, 1),
            end_date=date(2024, 12, 31),
        )
        add_site(s, SYSTEM_USER, pilot, "2482")
    before = _state(engine)

    lines = ["pilot;kommunkod;datum;typ;text;taggar"]
    first = date(2020, 1, 1)
    for i in range(ROWS):
        day = first + timedelta(days=i % 1800)
        lines.append(f"trygg;2482;{day.isoformat()};observation;Anteckning nummer {i} om samverkan;struktur")
    big = tmp_path / "logg.csv"
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT)), encoding="utf-8")

    url = engine.url.render_as_string(hide_password=False)
    child = subprocess.Popen(
        [sys.executable, str(script), url, str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        if line.strip() != "WRITTEN":
            child.kill()
            pytest.fail(
                f"the import did not reach its write: {line!r} {child.stderr.read() if child.stderr else ''}"
            )
        if engine.url.get_backend_name() == "postgresql":
            with engine.connect() as conn:  # the rows really are in the database, uncommitted
                busy = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                        "AND datname = current_database()"
                    )
                ).scalar_one()
            assert busy >= 1
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()
    assert child.returncode == -signal.SIGKILL

    engine.dispose()
    deadline = time.monotonic() + 20
    while True:  # PostgreSQL notices the dead client and rolls back; reads never see its rows either way
        try:
            after = _state(engine)
            break
        except Exception:  # noqa: BLE001 - a lock held for a moment by the dying backend
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert after == before
    if engine.url.get_backend_name() == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    # The database still takes writes (no lock left behind).
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        add_site(s, SYSTEM_USER, s.scalar(select(Site).limit(1)).pilot, "1880")
    assert _state(engine)[3] == before[3] + 1
