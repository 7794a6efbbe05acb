"""Browser helpers for the end-to-end tests: waiting for Streamlit, logging in, moving between pages,
screenshots, downloads and axe-core accessibility checks."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Download, Locator, Page, expect

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The README tour links docs/screenshots; a normal test run writes to test-artifacts/ (git-ignored) so
# it leaves the work tree clean. WORKBENCH_UPDATE_SCREENSHOTS=1 refreshes the committed ones.
SCREENSHOTS = PROJECT_ROOT / (
    "docs/screenshots" if os.environ.get("WORKBENCH_UPDATE_SCREENSHOTS") == "1" else "test-artifacts/screenshots"
)
DEMO_PASSWORD = "exempel-2026"
TIMEOUT_MS = 60_000

# The demo accounts (workbench/demo/sites.py) and their roles.
DEMO_USERS = {
    "admin": "admin",
    "researcher": "forskare",
    "mfof": "mfof",
    "municipality": "skelleftea",
    "presenter": "presentator",
}

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")

# Violations that come from Streamlit itself, cannot be fixed from the app's code and are documented in
# docs/e2e.md: (rule id, CSS selector substring of the element). Keep this list empty unless you add a
# precise entry with the reason next to it.
KNOWN_STREAMLIT_VIOLATIONS: list[tuple[str, str]] = []


@dataclass(frozen=True)
class Server:
    """A running `workbench serve` with its own freshly seeded database."""

    url: str
    database_url: str
    log_path: Path

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no server log)"


def wait_for_app(page: Page, timeout: float = TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and the script has finished running (twice, to outlast reruns)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    for _ in range(2):
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
        page.wait_for_timeout(250)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def main_area(page: Page) -> Locator:
    return page.get_by_test_id("stMain")


def assert_no_exception(page: Page, where: str) -> None:
    """A Python traceback (st.exception) or stray st.help output on the page is a failure; show its text."""
    exceptions = page.get_by_test_id("stException")
    if exceptions.count():
        raise AssertionError(f"{where}: the page shows an exception:\n{exceptions.first.inner_text()[:2000]}")
    helps = page.get_by_test_id("stHelp")
    if helps.count():
        raise AssertionError(f"{where}: the page shows st.help output (a bare expression written out by "
                             f"Streamlit's magic):\n{helps.first.inner_text()[:300]}")


def assert_no_error(page: Page, where: str) -> None:
    """No exception and no error message (st.error) on the page; show the message when there is one."""
    assert_no_exception(page, where)
    errors = main_area(page).get_by_test_id("stAlertContentError")
    if errors.count():
        raise AssertionError(f"{where}: the page shows an error:\n{errors.first.inner_text()[:2000]}")


def open_app(page: Page, server: Server, path: str = "") -> None:
    page.goto(f"{server.url}/{path}")
    wait_for_app(page)


def login(page: Page, server: Server, username: str, password: str = DEMO_PASSWORD) -> None:
    """Open the app and log in through the login form; on failure, say what the page shows."""
    open_app(page, server)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    wait_for_app(page)
    logout = page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile("^(Logga ut|Log out)$"))
    try:
        expect(logout).to_be_visible(timeout=TIMEOUT_MS)
    except AssertionError as err:
        shown = main_area(page).inner_text()[:1000]
        raise AssertionError(f"login as {username} failed; page says:\n{shown}") from err


def logout(page: Page) -> None:
    page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile("^(Logga ut|Log out)$")).click()
    wait_for_app(page)


def nav_links(page: Page) -> dict[str, str]:
    """The sidebar navigation as {url path: link text} ('' is the start page)."""
    links: dict[str, str] = {}
    for link in page.get_by_test_id("stSidebarNavLink").all():
        href = link.get_attribute("href") or ""
        links[href.rstrip("/").rsplit("/", 1)[-1] if href.count("/") > 3 else ""] = link.inner_text().strip()
    return links


def go_to(page: Page, url_path: str) -> None:
    """Move to a page inside the running session, as the browser's back/forward or a typed in-app link does.

    Streamlit keeps the login in the browser tab's session; a full reload would start a new, logged-out one.
    The app resolves the path against the user's own navigation: a page outside it is never run.
    """
    page.evaluate(
        "(path) => { history.pushState({}, '', '/' + path);"
        " window.dispatchEvent(new PopStateEvent('popstate')); }",
        url_path,
    )
    wait_for_app(page)


def click_nav(page: Page, url_path: str) -> None:
    """Follow a sidebar navigation link (the way a user moves between pages)."""
    link = page.locator(f"[data-testid='stSidebarNavLink'][href$='/{url_path}']")
    if link.count() and link.first.is_visible():
        link.first.click()
        wait_for_app(page)
    else:
        go_to(page, url_path)


def screenshot(page: Page, role: str, name: str) -> Path:
    """Save the visible viewport (1280×800) as docs/screenshots/<role>-<name>.png, replacing the old one."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{role}-{name or 'start'}.png"
    png = page.screenshot(animations="disabled")
    try:  # a 256-colour palette keeps the committed PNGs at about a third of the size
        from PIL import Image

        Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256).save(path, optimize=True)
    except ImportError:
        path.write_bytes(png)
    return path


def download(page: Page, trigger: Locator) -> tuple[str, bytes]:
    """Click a download button and return (suggested file name, content)."""
    with page.expect_download(timeout=TIMEOUT_MS * 2) as info:
        trigger.click()
    result: Download = info.value
    path = result.path()
    return result.suggested_filename, Path(path).read_bytes()


def _is_known(rule_id: str, target: str) -> bool:
    return any(rule == rule_id and selector in target for rule, selector in KNOWN_STREAMLIT_VIOLATIONS)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical WCAG 2.1 A/AA violations axe-core finds on the current page (known Streamlit ones
    listed in KNOWN_STREAMLIT_VIOLATIONS left out), as dicts with id, impact, help and targets."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]})
    found: list[dict[str, Any]] = []
    for violation in result.response["violations"]:
        if violation.get("impact") not in BLOCKING_IMPACTS:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        targets = [t for t in targets if not _is_known(violation["id"], t)]
        if targets:
            found.append({"id": violation["id"], "impact": violation["impact"], "help": violation["help"],
                          "targets": targets, "html": [n["html"][:160] for n in violation["nodes"]][:3]})
    return found


def format_violations(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{where}:"]
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        for target in v["targets"][:5]:
            lines.append(f"    at {target}")
        for html in v["html"]:
            lines.append(f"    html {html}")
    return "\n".join(lines)
