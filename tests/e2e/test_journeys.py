"""Each role's main job, end to end in a real Chromium against `workbench serve` with the demo database."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    DEMO_PASSWORD,
    Server,
    assert_no_exception,
    click_nav,
    go_to,
    login,
    logout,
    main_area,
    nav_links,
    open_app,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option in a Streamlit selectbox by typing into its search field."""
    box = page.get_by_label(label, exact=True)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def test_login_shows_role_and_logout_returns_to_login(page: Page, server: Server) -> None:
    open_app(page, server)
    expect(page.get_by_role("heading", name="Pilotarbetsbänken")).to_be_visible()
    screenshot(page, "all", "login")
    page.get_by_label("Användarnamn").fill("mfof")
    page.get_by_label("Lösenord").fill("fel-lösenord-123")
    page.get_by_role("button", name="Logga in").click()
    wait_for_app(page)
    expect(main_area(page).get_by_test_id("stAlertContentError")).to_be_visible()
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)

    login(page, server, "mfof")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("(MFoF-handläggare)")
    assert_no_exception(page, "start page")
    logout(page)
    expect(page.get_by_label("Användarnamn")).to_be_visible()
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)


def test_language_switch_translates_and_declares_language(page: Page, server: Server) -> None:
    open_app(page, server)
    assert page.evaluate("document.documentElement.lang") == "sv"
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    wait_for_app(page)
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("stSidebar").get_by_text("Svenska").click()
    wait_for_app(page)
    expect(page.get_by_label("Användarnamn")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sv")


def test_admin_adds_a_user_who_logs_in_with_the_given_role(page: Page, server: Server) -> None:
    login(page, server, "admin")
    click_nav(page, "anvandare")
    expect(page.get_by_role("heading", name="Användare", exact=True)).to_be_visible()
    screenshot(page, "admin", "anvandare")
    form = page.get_by_test_id("stForm")
    form.get_by_label("Användarnamn").fill("e2e-orebro")
    form.get_by_label("Visningsnamn (roll eller funktion)").fill("Samordnare Örebro")
    choose(page, "Roll", "Kommun")
    choose(page, "Kommun (för kommunanvändare)", "1880")
    form.get_by_label("Lösenord (minst 10 tecken)").fill("e2e-lösenord-2026")
    form.get_by_role("button", name="Lägg till användare").click()
    wait_for_app(page)
    assert_no_exception(page, "users page")
    expect(main_area(page).get_by_text("Användaren e2e-orebro är skapad.")).to_be_visible()
    logout(page)

    login(page, server, "e2e-orebro", "e2e-lösenord-2026")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Inloggad som Samordnare Örebro (Kommun)")
    assert "anvandare" not in nav_links(page)
    assert "referensdata" not in nav_links(page)


def test_municipality_user_is_refused_other_pages_by_url(page: Page, server: Server) -> None:
    # Positive control: the admin reaches the users page by the same URL mechanism.
    login(page, server, "admin")
    go_to(page, "anvandare")
    expect(page.get_by_role("heading", name="Användare", exact=True)).to_be_visible()

    login(page, server, "skelleftea")
    start_heading = main_area(page).get_by_role("heading").first.inner_text()
    for path in ("anvandare", "referensdata"):
        go_to(page, path)
        assert_no_exception(page, path)
        expect(page.get_by_role("heading", name="Användare", exact=True)).to_have_count(0)
        expect(page.get_by_role("heading", name=re.compile("referensdata", re.I))).to_have_count(0)
        assert main_area(page).get_by_role("heading").first.inner_text() == start_heading
    # A typed address opens a new session: the page is not found and the login form is shown, no data.
    open_app(page, server, "anvandare")
    expect(page.get_by_text("Page not found")).to_be_visible()
    expect(page.get_by_label("Användarnamn")).to_be_visible()
    expect(page.get_by_role("heading", name="Användare", exact=True)).to_have_count(0)


def test_wrong_password_does_not_log_in(page: Page, server: Server) -> None:
    open_app(page, server)
    page.get_by_label("Användarnamn").fill("admin")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD + "x")
    page.get_by_role("button", name="Logga in").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
