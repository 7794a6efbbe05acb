"""End-to-end fixtures: a real `workbench serve` on a free local port with a freshly seeded demo database,
and Debian's Chromium driven by Playwright (no browser download).

Each pytest-xdist worker that runs e2e tests starts its own server and database, so workers never share state.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PROJECT_ROOT, Server

CHROMIUM = Path(os.environ.get("WORKBENCH_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
STARTUP_SECONDS = 90

# Reruns of the heavier pages can take many seconds on a busy CI machine.
expect.set_options(timeout=30_000)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _workbench_command() -> list[str]:
    script = Path(sys.executable).parent / "workbench"
    return [str(script)] if script.exists() else [sys.executable, "-m", "workbench.cli"]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.read().decode().strip() == "ok")
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop `workbench serve` and the Streamlit process it started (they share a process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`workbench demo` into a new SQLite file, then `workbench serve` on a free port, ready when healthy."""
    home = tmp_path_factory.mktemp("e2e-server")
    database_url = f"sqlite:///{home / 'workbench.db'}"
    env = dict(os.environ, WORKBENCH_DATABASE_URL=database_url, WORKBENCH_DATA_DIR=str(home),
               PYTHONUNBUFFERED="1")
    seeded = subprocess.run([*_workbench_command(), "demo"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    if seeded.returncode != 0:
        pytest.fail(f"`workbench demo` failed (exit {seeded.returncode}):\n{seeded.stderr[-4000:]}"
                    f"\n{seeded.stdout[-2000:]}", pytrace=False)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = home / "server.log"
    with log_path.open("wb") as log:
        command = [*_workbench_command(), "serve", "--port", str(port), "--address", "127.0.0.1"]
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    started = Server(url=url, database_url=database_url, log_path=log_path)
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"`workbench serve` exited with {process.returncode} before it was healthy:\n"
                            f"{started.log_tail()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"`workbench serve` did not answer {url}/_stcore/health with 'ok' within "
                            f"{STARTUP_SECONDS} s. Server output:\n{started.log_tail()}", pytrace=False)
            time.sleep(0.3)
        yield started
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright; the e2e tests are skipped only when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"e2e tests need Chromium at {CHROMIUM} (scripts/setup installs it: "
                    "apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, server: Server):  # type: ignore[no-untyped-def]
    """A fresh browser tab (its own Streamlit session, so logged out) at 1280×800 with downloads allowed."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True,
                                  locale="sv-SE")
    context.set_default_timeout(30_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
