"""Setting up pilots and sites from a file: new pilot, updates, and every bad-input case at once."""

from __future__ import annotations

from datetime import date

import pytest

from pilots.access import SYSTEM_USER
from pilots.errors import ValidationError
from pilots.importing import run_import
from pilots.models import Pilot, Site
from pilots.sites import sites_frame
from pilots.sites_import import SITES_IMPORTER
from tests.pilots.records_helpers import count, setup_pilot

NEW_PILOT = (
    "pilot;kommunkod;kontaktroll;startdatum;slutdatum;pilotnamn;pilottyp;pilotstart;pilotslut\r\n"
    "bra-lagesbild;1880;Brottsförebyggande samordnare;;;MFoF–Brå;pilot;2025-01-01;2025-12-31\r\n"
    "bra-lagesbild;0127;Samordnare trygghet;2025-02-01;;MFoF–Brå;pilot;2025-01-01;2025-12-31\r\n"
)


def test_new_pilot_and_sites_from_one_file_with_bom(session) -> None:
    result = run_import(session, SYSTEM_USER, SITES_IMPORTER, NEW_PILOT.encode("utf-8-sig"), "platser.csv")
    assert (result.created, result.updated) == (2, 0)
    frame = sites_frame(session, SYSTEM_USER).set_index("municipality_code")
    assert frame.loc["0127", "start_date"] == date(2025, 2, 1)
    assert frame.loc["1880", "start_date"] == date(2025, 1, 1)  # empty = the pilot's start
    assert frame.loc["1880", "pilot_name"] == "MFoF–Brå"


def test_reimport_updates_existing_site(session) -> None:
    setup_pilot(session)
    text = "pilot;kommunkod;kontaktroll\ntryggvaxt;2482;Samordnare, socialtjänsten\n"
    result = run_import(session, SYSTEM_USER, SITES_IMPORTER, text.encode(), "platser.csv")
    assert (result.created, result.updated) == (0, 1)
    frame = sites_frame(session, SYSTEM_USER).set_index("municipality_code")
    assert frame.loc["2482", "contact_role"] == "Samordnare, socialtjänsten"
    assert frame.loc["2482", "start_date"] == date(2025, 3, 1)  # empty cell keeps the stored start


def test_bad_rows_listed_with_file_row_column_and_nothing_written(session) -> None:
    setup_pilot(session)
    pilots, sites = count(session, Pilot), count(session, Site)
    text = ("pilot;kommunkod;kontaktroll;startdatum;slutdatum\n"
            "tryggvaxt;9999;Samordnare;;\n"              # unknown municipality code
            "tryggvaxt;0180;Samordnare;2024-06-01;\n"    # before the pilot
            "okänd;0180;Samordnare;;\n"                  # unknown pilot
            "tryggvaxt;1280;Ring 811218-9876;;\n"        # personal identity number
            "tryggvaxt;0180;Dubblett;;\n")               # duplicate key
    with pytest.raises(ValidationError) as err:
        run_import(session, SYSTEM_USER, SITES_IMPORTER, text.encode("cp1252"), "platser.csv")
    wheres = [p.where for p in err.value.problems]
    # The file-level checks come first (personal data, duplicates); nothing is looked up in the database then.
    assert "platser.csv, rad 5, kolumn kontaktroll" in wheres
    assert "platser.csv, rad 6" in wheres
    assert (count(session, Pilot), count(session, Site)) == (pilots, sites)


def test_database_checks_listed_together(session) -> None:
    setup_pilot(session)
    text = ("pilot;kommunkod;startdatum\n"
            "tryggvaxt;9999;\n"
            "tryggvaxt;0180;2024-06-01\n"
            "okänd;0180;\n")
    with pytest.raises(ValidationError) as err:
        run_import(session, SYSTEM_USER, SITES_IMPORTER, text.encode(), "platser.csv")
    assert [p.where for p in err.value.problems] == [
        "platser.csv, rad 2, kolumn kommunkod", "platser.csv, rad 3, kolumn startdatum/slutdatum",
        "platser.csv, rad 4, kolumn pilot"]
    assert count(session, Site) == 2


def test_export_round_trips(session) -> None:
    setup_pilot(session)
    frame = SITES_IMPORTER.export(session, SYSTEM_USER)
    assert sorted(frame["kommunkod"]) == ["2480", "2482"]
    from pilots.exporting import records_to_bytes

    result = run_import(session, SYSTEM_USER, SITES_IMPORTER, records_to_bytes(frame, "xlsx"), "export.xlsx")
    assert (result.created, result.updated) == (0, 2)
