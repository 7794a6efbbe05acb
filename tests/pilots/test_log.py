"""The follow-research log: writing, tag vocabulary, search and filters, scoping, import."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from pilots.access import SYSTEM_USER
from pilots.errors import AccessDenied, PersonalDataError, ValidationError
from pilots.importing import run_import
from pilots.log import LOG_IMPORTER, add_log_entry, log_count, log_frame, log_importer, parse_tags
from pilots.models import LogEntry
from tests.pilots.records_helpers import count, municipality_user, researcher, setup_pilot

TODAY = date(2025, 12, 1)
TAGS = {"tydligt-syfte", "samverkan-systematik:c02-tydligt-syfte", "samverkan-systematik:c01-aterkommande-moten"}


def test_parse_tags_splits_on_comma_and_semicolon() -> None:
    assert parse_tags(" Tydligt-syfte; samverkan-systematik:c02-tydligt-syfte,tydligt-syfte ") == [
        "tydligt-syfte", "samverkan-systematik:c02-tydligt-syfte"]


def test_unknown_tag_and_future_date_are_refused_together(session) -> None:
    _, site, _ = setup_pilot(session)
    with pytest.raises(ValidationError) as err:
        add_log_entry(session, SYSTEM_USER, site, date(2025, 12, 5), "observation", "Möte", tags=["påhittad"],
                      known_tags=TAGS, today=TODAY)
    fields = sorted(p.where for p in err.value.problems)
    assert fields == ["entry_date", "tags"]


def test_personal_identity_number_is_refused(session) -> None:
    _, site, _ = setup_pilot(session)
    with pytest.raises(PersonalDataError):
        add_log_entry(session, SYSTEM_USER, site, date(2025, 4, 1), "interview", "Gäller 19811218-9876",
                      today=TODAY)
    assert count(session, LogEntry) == 0


def test_search_by_tag_kind_period_and_text(session) -> None:
    _, site, other = setup_pilot(session)
    add_log_entry(session, SYSTEM_USER, site, date(2025, 3, 10), "decision", "Styrgruppen beslutade om syfte",
                  tags=["samverkan-systematik:c02-tydligt-syfte"], known_tags=TAGS, today=TODAY)
    add_log_entry(session, SYSTEM_USER, site, date(2025, 4, 10), "observation", "Nätverket träffades",
                  tags=["samverkan-systematik:c01-aterkommande-moten"], known_tags=TAGS, today=TODAY)
    add_log_entry(session, SYSTEM_USER, other, date(2025, 5, 10), "reflection", "Syftet är oklart för skolan",
                  today=TODAY)
    texts = lambda frame: sorted(frame["text"])  # noqa: E731
    assert len(log_frame(session, SYSTEM_USER, tag="samverkan-systematik")) == 2  # instrument id matches its items
    assert texts(log_frame(session, SYSTEM_USER, tag="samverkan-systematik:c02-tydligt-syfte")) == [
        "Styrgruppen beslutade om syfte"]
    assert texts(log_frame(session, SYSTEM_USER, kinds=["observation", "reflection"])) == [
        "Nätverket träffades", "Syftet är oklart för skolan"]
    assert texts(log_frame(session, SYSTEM_USER, date_from=date(2025, 4, 1), date_to=date(2025, 4, 30))) == [
        "Nätverket träffades"]
    assert texts(log_frame(session, SYSTEM_USER, text="SYFTE")) == [
        "Styrgruppen beslutade om syfte", "Syftet är oklart för skolan"]
    assert texts(log_frame(session, SYSTEM_USER, text="50%")) == []  # LIKE wildcards are literal


def test_municipality_user_reads_only_own_entries(session) -> None:
    _, site, other = setup_pilot(session)
    add_log_entry(session, SYSTEM_USER, site, date(2025, 3, 10), "observation", "Skellefteå", today=TODAY)
    add_log_entry(session, SYSTEM_USER, other, date(2025, 3, 10), "observation", "Umeå", today=TODAY)
    assert list(log_frame(session, municipality_user("2480"))["text"]) == ["Umeå"]
    with pytest.raises(AccessDenied):
        add_log_entry(session, municipality_user("2480"), other, date(2025, 3, 11), "observation", "x", today=TODAY)


def test_unassigned_researcher_cannot_write_or_read(session) -> None:
    pilot, site, _ = setup_pilot(session)
    with pytest.raises(AccessDenied):
        add_log_entry(session, researcher(pilot + 1), site, date(2025, 3, 10), "observation", "x", today=TODAY)
    assert log_frame(session, researcher(pilot + 1)).empty


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_xlsx_with_excel_dates_and_tag_cell(session) -> None:
    setup_pilot(session)
    data = _xlsx([["pilot", "kommunkod", "datum", "typ", "källtyp", "text", "taggar"],
                  ["tryggvaxt", "2482", datetime(2025, 3, 12), "Beslut", "protokoll", "Rutin antagen",
                   "tydligt-syfte; samverkan-systematik:c02-tydligt-syfte"]])
    result = run_import(session, SYSTEM_USER, log_importer(TAGS), data, "logg.xlsx")
    assert result.created == 1
    frame = log_frame(session, SYSTEM_USER)
    assert frame.iloc[0]["kind"] == "decision"
    assert frame.iloc[0]["entry_date"] == date(2025, 3, 12)
    assert frame.iloc[0]["tags"] == "samverkan-systematik:c02-tydligt-syfte, tydligt-syfte"


def test_import_problems_are_all_listed_and_nothing_written(session) -> None:
    setup_pilot(session)
    add_log_entry(session, SYSTEM_USER, setup_ids(session), date(2025, 3, 5), "observation", "Redan loggat",
                  today=TODAY)
    before = count(session, LogEntry)
    text = ("\ufeffpilot;kommunkod;datum;typ;text;taggar\n"
            "tryggvaxt;2482;2025-02-01;observation;Före platsens start;\n"
            "tryggvaxt;2482;2025-03-05;observation;Redan loggat;\n"
            "tryggvaxt;2482;2025-03-06;observation;Okänd tagg;inte-en-tagg\n"
            "tryggvaxt;2482;2025-03-07;observation;Bra rad;tydligt-syfte\n")
    with pytest.raises(ValidationError) as err:
        run_import(session, SYSTEM_USER, log_importer(TAGS), text.encode("utf-8"), "logg.csv")
    assert [p.where for p in err.value.problems] == [
        "logg.csv, rad 2, kolumn datum", "logg.csv, rad 3", "logg.csv, rad 4, kolumn taggar"]
    assert count(session, LogEntry) == before


def test_default_importer_checks_tag_form_only(session) -> None:
    setup_pilot(session)
    text = "pilot;kommunkod;datum;typ;text;taggar\ntryggvaxt;2482;2025-03-06;observation;Text;Inte En Tagg!\n"
    with pytest.raises(ValidationError, match="fel form"):
        run_import(session, SYSTEM_USER, LOG_IMPORTER, text.encode(), "logg.csv")


def setup_ids(session) -> int:
    from sqlalchemy import select

    from pilots.models import Site

    return int(session.scalar(select(Site.id).where(Site.municipality_code == "2482")))


def test_pages_of_the_log_are_counted_and_sliced_by_the_database(session) -> None:
    _, site, other = setup_pilot(session)
    for day in range(1, 8):
        add_log_entry(session, SYSTEM_USER, site, date(2025, 4, day), "observation", f"Dag {day}",
                      tags=["tydligt-syfte"], today=TODAY)
    add_log_entry(session, SYSTEM_USER, other, date(2025, 4, 20), "reflection", "Umeå", today=TODAY)
    texts = lambda frame: list(frame["text"])  # noqa: E731
    assert log_count(session, SYSTEM_USER) == 8
    assert log_count(session, SYSTEM_USER, site_id=site) == 7
    assert log_count(session, SYSTEM_USER, kinds=["reflection"]) == 1
    assert log_count(session, municipality_user("2480")) == 1  # scoped like log_frame
    first = log_frame(session, SYSTEM_USER, site_id=site, limit=3)
    second = log_frame(session, SYSTEM_USER, site_id=site, limit=3, offset=3)
    last = log_frame(session, SYSTEM_USER, site_id=site, limit=3, offset=6)
    assert texts(first) == ["Dag 7", "Dag 6", "Dag 5"]  # newest first
    assert texts(second) == ["Dag 4", "Dag 3", "Dag 2"]
    assert texts(last) == ["Dag 1"]
    assert set(second["tags"]) == {"tydligt-syfte"}  # tags travel with the page
    assert log_frame(session, SYSTEM_USER, site_id=site, limit=3, offset=9).empty
