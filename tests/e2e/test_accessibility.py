"""Accessibility in a real Chromium: axe-core (WCAG 2.1 A/AA) on every page for every role, the declared page
language, keyboard-only login and a keyboard-only journey, and a text alternative after every chart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import (
    DEMO_PASSWORD,
    DEMO_USERS,
    Server,
    assert_no_exception,
    axe_violations,
    click_nav,
    format_violations,
    login,
    main_area,
    open_app,
    screenshot,
    wait_for_app,
)
from workbench.pages import ALL_ROLES, pages_for

pytestmark = pytest.mark.e2e

ROLE_PAGES = [(role, spec.url_path) for role in ALL_ROLES for spec in pages_for(role)]

# After each Plotly chart the next chart-or-alternative element must be an expander or a table.
CHARTS_WITHOUT_ALTERNATIVE_JS = """() => {
  const items = [...document.querySelectorAll(
    "[data-testid='stPlotlyChart'], [data-testid='stExpander'], " +
    "[data-testid='stDataFrame'], [data-testid='stTable']"
  )];
  const missing = [];
  items.forEach((el, i) => {
    if (el.dataset.testid !== 'stPlotlyChart') return;
    const next = items.slice(i + 1).find((other) => !el.contains(other));
    if (!next || next.dataset.testid === 'stPlotlyChart') {
      const title = el.querySelector('.gtitle');
      missing.push(title ? title.textContent : `chart ${i + 1}`);
    }
  });
  return {charts: items.filter((el) => el.dataset.testid === 'stPlotlyChart').length, missing};
}"""


class RoleTabs:
    """One logged-in browser tab per role, shared by the page checks of that role (logging in once)."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.tabs: dict[str, Page] = {}

    def tab(self, role: str) -> Page:
        page = self.tabs.get(role)
        if page is None or page.get_by_role("button", name="Logga ut").count() == 0:
            if page is not None:
                page.context.close()
            context = self.browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
            context.set_default_timeout(30_000)
            page = context.new_page()
            login(page, self.server, DEMO_USERS[role])
            self.tabs[role] = page
        return page

    def close(self) -> None:
        for page in self.tabs.values():
            page.context.close()


@pytest.fixture(scope="module")
def role_tabs(browser: Browser, server: Server) -> Iterator[RoleTabs]:
    tabs = RoleTabs(browser, server)
    yield tabs
    tabs.close()


@pytest.mark.parametrize(("role", "url_path"), ROLE_PAGES, ids=[f"{r}-{p}" for r, p in ROLE_PAGES])
def test_page_has_no_serious_wcag_violations_and_charts_have_tables(
    role_tabs: RoleTabs, role: str, url_path: str
) -> None:
    page = role_tabs.tab(role)
    click_nav(page, "" if url_path == "start" else url_path)
    where = f"{role} on /{url_path}"
    assert_no_exception(page, where)
    screenshot(page, role, url_path)
    assert page.evaluate("document.documentElement.lang") == "sv", f"{where}: <html lang> is not 'sv'"
    violations = axe_violations(page)
    assert not violations, format_violations(where, violations)
    charts = page.evaluate(CHARTS_WITHOUT_ALTERNATIVE_JS)
    assert not charts["missing"], (f"{where}: {len(charts['missing'])} of {charts['charts']} charts have no "
                                   f"data table or expander after them: {charts['missing']}")


def test_login_page_is_accessible_in_both_languages(page: Page, server: Server) -> None:
    open_app(page, server)
    violations = axe_violations(page)
    assert not violations, format_violations("login page (sv)", violations)
    open_app(page, server)  # a clean page: clicks on Streamlit's radio do not register after axe has run
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    wait_for_app(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    violations = axe_violations(page)
    assert not violations, format_violations("login page (en)", violations)


def press_tab_until(page: Page, description: str, test_js: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies test_js (a JS function of the element)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        script = f"(() => {{ const el = document.activeElement; return !!el && ({test_js})(el); }})()"
        if page.evaluate(script):
            return
    raise AssertionError(f"{description} cannot be reached with Tab (tried {limit} times)")


def focus_field(page: Page, label: str) -> None:
    press_tab_until(page, f"the field {label!r}",
                    f"(el) => el.getAttribute('aria-label') === {label!r} || "
                    f"(el.labels && [...el.labels].some((l) => l.innerText.trim() === {label!r}))")


def keyboard_login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    focus_field(page, "Användarnamn")
    page.keyboard.type(username)
    focus_field(page, "Lösenord")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    wait_for_app(page)


def test_login_and_adding_a_user_work_by_keyboard_alone(page: Page, server: Server) -> None:
    open_app(page, server)
    keyboard_login(page, "admin")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()

    press_tab_until(page, "the navigation link Användare",
                    "(el) => el.tagName === 'A' && el.getAttribute('href').endsWith('/anvandare')")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Användare", exact=True)).to_be_visible()

    focus_field(page, "Användarnamn")
    page.keyboard.type("e2e-tangentbord")
    focus_field(page, "Visningsnamn (roll eller funktion)")
    page.keyboard.type("Tangentbordsforskare")
    focus_field(page, "Roll")
    page.keyboard.type("Följeforskare")
    page.keyboard.press("Enter")
    focus_field(page, "Lösenord (minst 10 tecken)")
    page.keyboard.type("tangent-2026-lösen")
    press_tab_until(page, "the button Lägg till användare",
                    "(el) => el.tagName === 'BUTTON' && el.innerText.trim() === 'Lägg till användare'")
    page.keyboard.press("Enter")
    wait_for_app(page)
    assert_no_exception(page, "users page")
    expect(main_area(page).get_by_text("Användaren e2e-tangentbord är skapad.")).to_be_visible()

    press_tab_until(page, "the logout button",
                    "(el) => el.tagName === 'BUTTON' && el.innerText.trim() === 'Logga ut'")
    page.keyboard.press("Enter")
    wait_for_app(page)
    keyboard_login(page, "e2e-tangentbord", "tangent-2026-lösen")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("Inloggad som Tangentbordsforskare (Följeforskare)")
