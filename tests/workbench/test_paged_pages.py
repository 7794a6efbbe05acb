"""Listing pages show one page of rows read by the database, with the total and a page selector (AppTest on the
demo data): page 2 holds the next rows, and a filter change goes back to page 1."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from pilots import db
from pilots.access import SYSTEM_USER
from pilots.log import log_count
from pilots.models import Site
from pilots.sites import site_label, sites_frame


def _open(app_as, page: str, username: str = "admin"):
    at = app_as(username)
    at.switch_page(f"pages/{page}.py")
    return at.run()


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_log_page_shows_fifty_newest_and_page_two_the_next(app_as, demo_url: str) -> None:
    engine = db.make_engine(demo_url)
    today = date.today()
    with db.session_scope(engine) as s:
        total = log_count(s, SYSTEM_USER, date_from=today - timedelta(days=730), date_to=today)
    engine.dispose()
    assert total > 50, "the demo log fills more than one page"
    at = _open(app_as, "log")
    assert not at.exception, at.exception
    first = at.dataframe[0].value
    assert len(first) == 50
    assert f"Visar 1–50 av {total}" in _captions(at)
    at.number_input(key="log_page").set_value(2).run()
    second = at.dataframe[0].value
    assert len(second) == min(50, total - 50)
    assert f"Visar 51–{50 + len(second)} av {total}" in _captions(at)
    assert second["Datum"].max() <= first["Datum"].min()  # newest first, across pages
    # A changed filter starts again on page 1 (the filtered list still has a second page to stay on).
    at.text_input[0].input("a").run()
    assert not at.exception
    shown = next(c for c in _captions(at) if c.startswith("Visar "))
    assert shown.startswith("Visar 1–50 av ") and 50 < int(shown.rsplit(" ", 1)[1]) <= total


def test_audit_page_shows_a_hundred_events_a_page(app_as) -> None:
    at = _open(app_as, "audit")
    assert not at.exception, at.exception
    first = at.dataframe[0].value
    assert len(first) == 100
    total = int(at.markdown[0].value.split()[0])
    assert total > 100 and f"Visar 1–100 av {total}" in _captions(at)
    at.number_input(key="audit_page").set_value(2).run()
    second = at.dataframe[0].value
    assert len(second) == 100 and f"Visar 101–200 av {total}" in _captions(at)
    assert second["id"].max() < first["id"].min()  # the next older events
    # The downloads are built on click, not on each rerun; there are still two of them.
    assert len(at.get("download_button")) == 2


def test_rounds_page_lists_the_chosen_sites_rounds_only(app_as, demo_url: str) -> None:
    at = _open(app_as, "rounds")
    assert not at.exception, at.exception
    picker = at.selectbox(key="rounds_site")
    engine = db.make_engine(demo_url)
    with db.session_scope(engine) as s:
        sites = sites_frame(s, SYSTEM_USER)
        skelleftea = s.scalar(select(Site.id).where(Site.municipality_code == "2482"))
    engine.dispose()
    assert picker.options == [site_label(r) for r in sites.to_dict("records")]
    picker.set_value(skelleftea).run()
    shown = at.dataframe[0].value
    assert len(shown) > 0 and set(shown["Kommun"]) == {"Skellefteå"}


def test_survey_page_reads_the_pilot_table_only_when_asked(app_as) -> None:
    at = _open(app_as, "survey")
    assert not at.exception, at.exception
    tables = len(at.dataframe)
    at.toggle(key="survey_show_pilots").set_value(True).run()
    assert not at.exception, at.exception
    assert len(at.dataframe) == tables + 1


def test_sites_page_lists_the_sites_a_page_at_a_time_with_the_total(app_as, demo_url: str) -> None:
    engine = db.make_engine(demo_url)
    with db.session_scope(engine) as s:
        total = len(sites_frame(s, SYSTEM_USER))
    engine.dispose()
    at = _open(app_as, "sites")
    assert not at.exception, at.exception
    assert f"Visar 1–{min(50, total)} av {total}" in _captions(at)
    assert len(at.dataframe[1].value) == min(50, total)  # [0] lists the pilots


def test_audit_page_counts_no_further_than_its_cap_and_says_more_than(app_as, monkeypatch) -> None:
    # A national month holds hundreds of thousands of events: beyond the cap the page says "more than" and
    # pages through the newest events up to the cap.
    import pilots.audit

    monkeypatch.setattr(pilots.audit, "AUDIT_COUNT_CAP", 150)
    at = _open(app_as, "audit")
    assert not at.exception, at.exception
    assert at.markdown[0].value.startswith("Fler än 150 händelser")
    assert len(at.dataframe[0].value) == 100 and "Visar 1–100 av 150" in _captions(at)
    at.number_input(key="audit_page").set_value(2).run()
    assert len(at.dataframe[0].value) == 50 and "Visar 101–150 av 150" in _captions(at)
