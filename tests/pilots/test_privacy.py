"""Personal data guard: personnummer and samordningsnummer are refused everywhere text enters; look-alikes pass.

Check digits were worked out by hand with the Luhn rule on the 10-digit form (weights 2,1,2,1,...;
digits of products above 9 are summed; the total must end in 0), e.g. 811218-9876:
8·2=16→7, 1, 1·2=2, 2, 1·2=2, 8, 9·2=18→9, 8, 7·2=14→5, 6 → 50.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pilots.access import SYSTEM_USER
from pilots.errors import PersonalDataError, ValidationError
from pilots.importing import run_import
from pilots.models import AuditEvent, LogEntry, Pilot, Site, UserAccount
from pilots.privacy import check_fields, check_text, find_personal_identity_numbers
from pilots.sites import add_site, create_pilot

PERSONAL_NUMBERS = [
    "811218-9876",  # Skatteverket's example: 10 digits with '-'
    "8112189876",  # without separator
    "811218+9876",  # '+' for someone 100 years or older
    "811218 9876",  # a space as separator
    "19811218-9876",  # 12 digits with '-'
    "198112189876",  # 12 digits without separator
    "701063-2391",  # samordningsnummer: day 03 + 60 = 63 (7·2=14→5,0,2,0,12→3,3,4,3,18→9,1 → 30)
    "19701063-2391",  # samordningsnummer, 12 digits
    "200812181238",  # born in 2008 (0,8,2,2,2,8,2,2,6,8 → 40)
    "000229-0005",  # 29 February 2000: no century written, the date exists only in the 2000s (→ 20)
]

LOOK_ALIKES = [
    "811218-9875",  # wrong check digit (sum 49)
    "701063-2392",  # samordningsnummer with a wrong check digit
    "811232-9876",  # no 32nd day
    "2024-03-01",  # ISO date
    "2024-03-01 10:00",  # ISO date and time
    "Mötet 2024-03-01 kl. 10:00–12:00",
    "070-123 45 67",  # mobile number as usually written
    "070-123 45 69",  # even when its digits would pass the Luhn test
    "+46701234569",  # international form: glued to the country code
    "08-123 456 78",  # landline
    "Dnr 2023/1234",  # case numbers
    "KS 2024-123",
    "SN 2023-000412",
    "212000-2742",  # a municipality's organisation number: Luhn-valid (→ 30), but month 20 is no date
    "2120002742",
    "16212000-2742",  # organisation number with the 16 prefix
    "114 55 Stockholm",  # postcodes
    "SE-931 85 Skellefteå",
    "98112189876",  # a valid number glued to more digits is another number
    "Budget 1 250 000 kr, 2 400 timmar",
]


@pytest.mark.parametrize("text", PERSONAL_NUMBERS)
def test_personal_identity_numbers_are_refused_naming_the_field(text: str) -> None:
    assert find_personal_identity_numbers(f"Gäller {text}, se bilaga.") == [text]
    with pytest.raises(PersonalDataError) as info:
        check_text(f"Gäller {text}.", "syfte")
    assert [p.where for p in info.value.problems] == ["syfte"]
    assert "personnummer" in str(info.value)


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_pass(text: str) -> None:
    assert find_personal_identity_numbers(text) == []
    check_text(text, "fält")


def test_a_dash_or_letters_before_the_number_do_not_hide_it() -> None:
    assert find_personal_identity_numbers("Ärende-811218-9876") == ["811218-9876"]
    assert find_personal_identity_numbers("pnr:8112189876.") == ["8112189876"]


def test_ten_unseparated_digits_that_are_a_luhn_valid_date_are_refused_even_if_meant_as_a_phone_number() -> (
    None
):
    # 0701234569 reads as 2007-01-23, serial 456, check digit 9 (0,7,0,1,4,3,8,5,12→3,9 → 40): it IS a
    # well-formed personnummer and cannot be told apart, so it is refused; "070-123 45 69" passes.
    with pytest.raises(PersonalDataError):
        check_text("Ring 0701234569", "kontakt")
    assert find_personal_identity_numbers("0701234567") == []  # its Luhn sum is 38


def test_check_fields_lists_every_offending_field_at_once() -> None:
    with pytest.raises(PersonalDataError) as info:
        check_fields({"namn": "Samordnare", "syfte": "se 811218-9876", "kontext": "701063-2391", "tal": 5})
    assert [p.where for p in info.value.problems] == ["syfte", "kontext"]
    check_fields({"namn": "Samordnare", "datum": "2024-03-01", "tal": 8112189876})  # numbers are not text


# --- Every entry point refuses, says which field, and writes nothing -------------------------------------


def _counts(session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(m)) for m in (Pilot, Site, LogEntry, UserAccount)
    )


@pytest.fixture
def pilot(session):
    p = create_pilot(
        session,
        SYSTEM_USER,
        slug="trygg",
        name="Trygg",
        purpose="",
        start_date=date(2024, 1, 1),
        end_date=date(2026, 12, 31),
    )
    add_site(session, SYSTEM_USER, p, "2482")
    return p


def _refused(session, call, field: str) -> None:
    before = _counts(session)
    with pytest.raises(ValidationError) as info:  # PersonalDataError, or a ValidationError listing it
        with session.begin_nested():
            call()
    assert any(field in p.where and "personnummer" in p.message for p in info.value.problems), (
        info.value.problems
    )
    assert _counts(session) == before


def test_forms_pilot_site_user(session, pilot) -> None:
    from pilots.users import create_user

    _refused(
        session,
        lambda: create_pilot(
            session,
            SYSTEM_USER,
            slug="ny",
            name="Ny",
            purpose="811218-9876",
            start_date=date(2025, 1, 1),
            end_date=date(2025, 12, 31),
        ),
        "purpose",
    )
    _refused(
        session,
        lambda: add_site(session, SYSTEM_USER, pilot, "1880", contact_role="Kontakt 8112189876"),
        "contact_role",
    )
    _refused(
        session,
        lambda: create_user(session, "sara", "långt-lösenord-1", "mfof", display_name="701063-2391"),
        "namn",
    )


def test_editing_an_existing_record(session, pilot) -> None:
    from pilots.editing import update_record

    _refused(
        session,
        lambda: update_record(
            session, SYSTEM_USER, Pilot, pilot.id, pilot.version, {"purpose": "Gäller 19811218-9876"}
        ),
        "purpose",
    )
    assert session.get(Pilot, pilot.id).purpose == ""


def test_log_entries(session, pilot) -> None:
    from pilots.log import add_log_entry

    site = session.scalar(select(Site))
    _refused(
        session,
        lambda: add_log_entry(
            session,
            SYSTEM_USER,
            site.id,
            date(2025, 3, 1),
            "observation",
            "Samtal med 811218-9876 om rutinen",
        ),
        "text",
    )


def test_report_commentary(session, pilot) -> None:
    content = pytest.importorskip("cooperation_model.report.content")
    _refused(
        session,
        lambda: content.save_commentary(
            session, SYSTEM_USER, pilot.id, content.SECTION_KEYS[0], "Rubrik", "Se ärendet för 8112189876."
        ),
        "text",
    )


def test_instrument_free_text(session, pilot) -> None:
    from instruments.answers import save_answers, start_response
    from instruments.rounds import create_round
    from instruments.store import add_instrument_version

    small = Path(__file__).resolve().parents[1] / "instruments" / "data" / "small.yaml"
    version = add_instrument_version(session, SYSTEM_USER, small.read_text(encoding="utf-8"))
    site = session.scalar(select(Site))
    rnd = create_round(session, SYSTEM_USER, site.id, version.id, "Nollmätning", date(2099, 3, 1))
    response = start_response(session, SYSTEM_USER, rnd.id, "Socialchef")
    _refused(
        session,
        lambda: save_answers(
            session, SYSTEM_USER, response.id, {"a": 1}, evidence={"a": "Utredning om 701063-2391"}
        ),
        "a: underlag",
    )
    _refused(session, lambda: start_response(session, SYSTEM_USER, rnd.id, "811218-9876"), "respondent_label")


def test_imports_name_file_row_and_column_and_write_nothing(session, pilot) -> None:
    from workbench.importers import importer_for

    sites = (
        b"pilot;kommunkod;kontaktroll;kontext\n"
        b"trygg;1880;Samordnare;Inga problem\n"
        b"trygg;1280;Samordnare;Familjen 811218-9876 flyttade\n"
    )
    log = (
        "pilot;kommunkod;datum;typ;text\n"
        "trygg;2482;2025-02-01;observation;Möte 2025-02-01 10:00 med styrgruppen\n"
        "trygg;2482;2025-02-02;observation;Barn 200812181238 omplacerat\n"
    ).encode()
    audit_before = session.scalar(select(func.count()).select_from(AuditEvent))
    for kind, data, column in (("sites", sites, "kontext"), ("log", log, "text")):
        before = _counts(session)
        with pytest.raises(ValidationError) as info:
            with session.begin_nested():
                run_import(session, SYSTEM_USER, importer_for(kind), data, f"{kind}.csv")
        wheres = [p.where for p in info.value.problems]
        assert f"{kind}.csv, rad 3, kolumn {column}" in wheres, wheres
        assert not any("rad 2" in w for w in wheres)  # the look-alike date on row 2 passed
        assert _counts(session) == before
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit_before


def test_numbers_written_with_other_unicode_digits_are_still_found() -> None:
    from pilots.privacy import find_personal_identity_numbers

    arabic_indic = "19811218-9876".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert find_personal_identity_numbers(f"Ärende {arabic_indic} i Skellefteå") == [arabic_indic]
    assert find_personal_identity_numbers("Möte 2025-03-04 kl 10, rum 12") == []
