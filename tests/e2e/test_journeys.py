"""Each role's main job, end to end in a real Chromium against `workbench serve` with the demo database."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import (
    DEMO_PASSWORD,
    Server,
    assert_no_error,
    assert_no_exception,
    click_nav,
    download,
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
    start_heading = re.compile(r"^Välkommen, Skellefteå")
    expect(main_area(page).get_by_role("heading").first).to_have_text(start_heading)
    for path in ("anvandare", "referensdata"):
        go_to(page, path)
        assert_no_exception(page, path)
        expect(page.get_by_role("heading", name="Användare", exact=True)).to_have_count(0)
        expect(page.get_by_role("heading", name=re.compile("referensdata", re.I))).to_have_count(0)
        expect(main_area(page).get_by_role("heading").first).to_have_text(start_heading)
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


def _forum_card(page: Page, forum: str) -> Locator:
    """The innermost block holding the forum's heading and its metrics (its bordered card)."""
    heading = page.get_by_role("heading", name=forum, exact=True)
    blocks = main_area(page).get_by_test_id("stVerticalBlock")
    return blocks.filter(has=heading).filter(has=page.get_by_test_id("stMetric")).last


def _metric(card: Locator, label: str) -> str:
    metric = card.get_by_test_id("stMetric").filter(has_text=label).first
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def _network_alt_text(page: Page) -> str:
    """The text alternative under the network chart (actors, ties, sectors)."""
    return main_area(page).get_by_test_id("stCaptionContainer").filter(has_text="Diagram").first.inner_text()


def test_researcher_logs_a_meeting_and_sees_network_and_systematicity_change(
    page: Page, server: Server
) -> None:
    login(page, server, "forskare")
    click_nav(page, "forum")
    assert_no_exception(page, "forums page")
    site = page.get_by_label("Plats", exact=True).input_value() or ""
    forum = main_area(page).get_by_test_id("stHeadingWithActionElements").nth(1).inner_text().strip()
    card = _forum_card(page, forum)
    meetings_before = int(_metric(card, "Möten"))
    score_before = _metric(card, "Poäng")
    screenshot(page, "researcher", "forum")

    click_nav(page, "natverk")
    assert_no_exception(page, "network page")
    network_before = _network_alt_text(page)

    click_nav(page, "moten")
    assert_no_exception(page, "meetings page")
    choose(page, "Forum", forum)
    wait_for_app(page)
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Spara mötet"))
    attended = form.get_by_label("Närvarande aktörer")
    # Every actor of the site attends: new pairs meet, so the co-attendance network must change.
    attended.click()
    page.get_by_role("option", name="Select all").click()
    page.keyboard.press("Escape")
    # The date field is a group of year/month/day spinbuttons; a date inside the demo site's period (2025).
    for part, value in (("year", "2025"), ("month", "12"), ("day", "16")):
        segment = form.get_by_role("spinbutton", name=f"{part}, Datum")
        segment.click()
        page.keyboard.type(value)
        expect(segment).to_have_text(value)
    # A meeting nobody convened or documented, without purpose or decisions: systematicity must drop.
    for role_label in ("Sammankallande", "Dokumenterande"):
        form.get_by_label(role_label, exact=True).click()
        page.get_by_role("option").first.click()  # "–": nobody
    screenshot(page, "researcher", "moten-ifyllt")
    form.get_by_role("button", name="Spara mötet").click()
    wait_for_app(page)
    assert_no_error(page, "meetings page after saving")
    saved = re.compile(f"Mötet i {re.escape(forum)} .* är sparat")
    expect(main_area(page).get_by_text(saved)).to_be_visible()

    click_nav(page, "forum")
    assert page.get_by_label("Plats", exact=True).input_value() in ("", site)
    card = _forum_card(page, forum)
    assert int(_metric(card, "Möten")) == meetings_before + 1
    score_after = _metric(card, "Poäng")
    assert float(score_after.replace(",", ".")) < float(score_before.replace(",", ".")), (
        f"an undocumented meeting should lower the systematicity score ({score_before} → {score_after})")

    click_nav(page, "natverk")
    network_after = _network_alt_text(page)
    assert network_after != network_before, f"the network did not change: {network_after}"


def _open_round_invitation(server: Server, label: str) -> str:
    """Make an invitation link to Skellefteå's open demo round, as a researcher would on the rounds page."""
    from sqlalchemy import select

    from instruments.invitations import create_invitation
    from pilots import db
    from pilots.models import AssessmentRound
    from pilots.users import authenticate

    engine = db.make_engine(server.database_url)
    try:
        with db.session_scope(engine, face="app") as session:
            admin = authenticate(session, "admin", DEMO_PASSWORD)
        with db.session_scope(engine, user=admin, face="app") as session:
            open_rounds = select(AssessmentRound.id).where(AssessmentRound.status == "open")
            round_id = session.scalars(open_rounds).first()
            assert round_id is not None, "the demo has no open assessment round"
            _, token = create_invitation(session, admin, int(round_id), label)
    finally:
        engine.dispose()
    return token


def test_respondent_answers_saves_resumes_and_submits_through_an_invitation_link(
    page: Page, server: Server, browser
) -> None:  # type: ignore[no-untyped-def]
    token = _open_round_invitation(server, "Socialtjänstens enhetschef (e2e)")
    open_app(page, server, f"?token={token}")
    assert_no_exception(page, "invitation page")
    expect(page.get_by_role("heading", name="Självskattning").first).to_be_visible()
    expect(page.get_by_role("button", name="Logga in")).to_have_count(0)
    groups = main_area(page).get_by_role("radiogroup", name="Svar")
    assert groups.count() >= 2
    groups.nth(0).get_by_test_id("stRadioOption").nth(2).click()
    groups.nth(1).get_by_test_id("stRadioOption").nth(0).click()
    screenshot(page, "respondent", "inbjudan")
    page.get_by_role("button", name="Spara utkast").click()
    wait_for_app(page)
    assert_no_exception(page, "invitation page after saving")
    expect(main_area(page).get_by_text("Utkastet är sparat.")).to_be_visible()

    # Later, in a new browser session, the same link shows the saved draft.
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    later = context.new_page()
    try:
        open_app(later, server, f"?token={token}")
        groups = main_area(later).get_by_role("radiogroup", name="Svar")
        expect(groups.nth(0).locator("input[type=radio]").nth(2)).to_be_checked()
        expect(groups.nth(1).locator("input[type=radio]").nth(0)).to_be_checked()
        groups.nth(2).get_by_test_id("stRadioOption").nth(1).click()
        later.get_by_role("button", name="Skicka in").click()
        wait_for_app(later)
        assert_no_exception(later, "invitation page after submitting")
        expect(main_area(later).get_by_text("Tack! Dina svar är inskickade och låsta.")).to_be_visible()
    finally:
        context.close()

    # The link is single-use: opening it again says the answers are already submitted.
    open_app(page, server, f"?token={token}")
    expect(main_area(page).get_by_text(re.compile("redan inskickade"))).to_be_visible()
    expect(main_area(page).get_by_role("radiogroup")).to_have_count(0)


def test_mfof_filters_the_overview_by_skr_group_opens_the_map_and_drills_down_to_a_site(
    page: Page, server: Server
) -> None:
    login(page, server, "mfof")
    click_nav(page, "oversikt")
    assert_no_exception(page, "overview")
    skr = page.get_by_label("SKR-grupp 2017", exact=True)
    skr.click()
    option = page.get_by_role("option").filter(has_not_text="Select all").first
    group = option.inner_text().strip()
    option.click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert_no_exception(page, "overview filtered")
    screenshot(page, "mfof", "oversikt-filtrerad")

    click_nav(page, "karta")
    assert_no_exception(page, "map")
    expect(main_area(page).get_by_test_id("stPlotlyChart")).to_be_visible()
    # The overview's filter is shared with the map.
    expect(main_area(page).get_by_text(re.compile(re.escape(group)))).to_be_visible()
    screenshot(page, "mfof", "karta-filtrerad")

    click_nav(page, "oversikt")
    sites_table = main_area(page).get_by_test_id("stDataFrame").nth(1)
    box = sites_table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # the row marker of the first site
    wait_for_app(page)
    page.get_by_role("button", name="Öppna vald plats").click()
    wait_for_app(page)
    assert_no_exception(page, "site detail")
    expect(page.get_by_role("heading", name="Plats i detalj")).to_be_visible()
    expect(main_area(page).get_by_text(f"SKR-grupp 2017 {group}")).to_be_visible()
    screenshot(page, "mfof", "plats-vald")


SLOW_MS = 240_000  # rendering charts through Chromium and writing documents


def test_presenter_exports_charts_as_png_and_svg_and_the_conference_pptx(page: Page, server: Server) -> None:
    login(page, server, "presentator")
    click_nav(page, "diagram")
    assert_no_error(page, "charts page")
    charts = main_area(page).get_by_test_id("stPlotlyChart")
    expect(charts.first).to_be_visible()
    screenshot(page, "presenter", "diagram-export")

    files: dict[str, bytes] = {}
    for fmt in ("png", "svg"):
        main_area(page).get_by_role("radiogroup", name="Bildformat").get_by_text(fmt, exact=True).click()
        wait_for_app(page)
        page.get_by_role("button", name="Förbered bilder").click()
        wait_for_app(page, SLOW_MS)
        assert_no_error(page, f"charts page after preparing {fmt}")
        button = main_area(page).get_by_role("button", name=re.compile(rf"\({fmt.upper()}\)$")).first
        name, data = download(page, button)
        assert name.endswith(f".{fmt}"), name
        files[fmt] = data
    assert files["png"].startswith(b"\x89PNG\r\n\x1a\n"), files["png"][:16]
    assert b"<svg" in files["svg"][:2000], files["svg"][:200]

    page.get_by_role("button", name="Skapa konferens-PPTX").click()
    wait_for_app(page, SLOW_MS)
    assert_no_error(page, "charts page after making the PPTX")
    name, deck_bytes = download(page, main_area(page).get_by_role("button", name="Ladda ner PPTX"))
    assert name.endswith(".pptx")
    from pptx import Presentation

    deck = Presentation(io.BytesIO(deck_bytes))
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]  # PICTURE
    assert len(deck.slides) >= 2 and pictures, "the deck should hold a title slide and chart pictures"


def test_researcher_generates_the_cooperation_model_report_as_docx(page: Page, server: Server) -> None:
    login(page, server, "forskare")
    click_nav(page, "rapport")
    assert_no_error(page, "report page")
    pilot = page.get_by_label("Pilot", exact=True).input_value() or ""
    choose(page, "Format", "DOCX")
    screenshot(page, "researcher", "rapport-docx")
    page.get_by_role("button", name="Skapa rapport").click()
    wait_for_app(page, SLOW_MS)
    assert_no_error(page, "report page after building")
    expect(main_area(page).get_by_text(re.compile("Fingeravtryck"))).to_be_visible()
    name, data = download(page, main_area(page).get_by_role("button", name="Ladda ner rapporten"))
    assert name.endswith(".docx"), name
    import docx

    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert len(document.paragraphs) > 10 and document.inline_shapes, "a report with text and figures"
    if pilot:
        assert pilot.split(" (")[0] in text, f"the report does not name the pilot {pilot!r}"
