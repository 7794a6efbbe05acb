"""Indicators as data: YAML definitions, unit checks, values per site and period, import."""

from __future__ import annotations

from datetime import date

import pytest

from pilots.access import SYSTEM_USER
from pilots.errors import ValidationError
from pilots.importing import run_import
from pilots.indicators import (
    INDICATORS_IMPORTER,
    add_indicator_value,
    check_value,
    indicator_values_frame,
    load_indicator_definitions,
    parse_indicator_definition,
    sync_indicator_definitions,
)
from pilots.models import IndicatorValue
from pilots.tabular import CellError
from tests.pilots.records_helpers import count, municipality_user, setup_pilot


def test_builtin_definitions_have_the_five_indicators() -> None:
    codes = {d.code: d.unit for d in load_indicator_definitions()}
    assert codes == {"foraldraskapsstod_aktiviteter": "antal", "foraldrar_nadda": "antal",
                     "andel_i_malomraden": "andel_procent", "personal_utbildad": "antal",
                     "skriftliga_rutiner": "ja_nej"}


def test_definition_problems_are_listed_together() -> None:
    with pytest.raises(ValidationError) as err:
        parse_indicator_definition("code: X\nname: {sv: a}\nunit: liter\nmin: 5\nmax: 1\n", "bad.yaml")
    wheres = {p.where for p in err.value.problems}
    assert {"bad.yaml: code", "bad.yaml: name", "bad.yaml: unit", "bad.yaml: min/max", "bad.yaml: source"} <= wheres


@pytest.mark.parametrize(("raw", "unit", "expected"), [
    ("12", "antal", 12.0), ("45,5 %", "andel_procent", 45.5), ("1,5", "timmar", 1.5), ("ja", "ja_nej", 1.0),
    ("nej", "ja_nej", 0.0)])
def test_check_value_accepts(raw: str, unit: str, expected: float) -> None:
    assert check_value(raw, unit) == expected


@pytest.mark.parametrize(("raw", "unit", "message"), [
    ("135", "andel_procent", "andel måste vara 0–100 %, fick 135"),
    ("12,5", "antal", "heltal"), ("-2", "timmar", "negativt"), ("kanske", "ja_nej", "ja eller nej")])
def test_check_value_refuses(raw: str, unit: str, message: str) -> None:
    with pytest.raises(CellError, match=message):
        check_value(raw, unit)


def test_sync_is_idempotent(session) -> None:
    assert sync_indicator_definitions(session) == 5
    assert sync_indicator_definitions(session) == 0


def test_value_outside_period_and_duplicate(session) -> None:
    sync_indicator_definitions(session)
    _, site, _ = setup_pilot(session)
    add_indicator_value(session, SYSTEM_USER, site, "foraldrar_nadda", date(2025, 4, 1), "40")
    with pytest.raises(ValidationError) as err:
        add_indicator_value(session, SYSTEM_USER, site, "foraldrar_nadda", date(2025, 4, 1), "41")
    assert "finns redan" in str(err.value)
    with pytest.raises(ValidationError, match="utanför"):
        add_indicator_value(session, SYSTEM_USER, site, "foraldrar_nadda", date(2026, 1, 1), "4")


def test_import_semicolons_decimal_comma_cp1252(session) -> None:
    setup_pilot(session)
    text = ("pilot;kommunkod;indikator;periodstart;periodslut;värde;anteckning\r\n"
            "tryggvaxt;2482;andel_i_malomraden;2025-04-01;2025-06-30;62,5;Räknat på träffarna\r\n"
            "tryggvaxt;2480;skriftliga_rutiner;2025-04-01;2025-06-30;ja;\r\n")
    result = run_import(session, SYSTEM_USER, INDICATORS_IMPORTER, text.encode("cp1252"), "ind.csv")
    assert result.created == 2
    frame = indicator_values_frame(session, SYSTEM_USER).set_index("indicator_code")
    assert frame.loc["andel_i_malomraden", "value"] == 62.5
    assert frame.loc["andel_i_malomraden", "note"] == "Räknat på träffarna"
    assert frame.loc["skriftliga_rutiner", "value"] == 1.0
    assert list(indicator_values_frame(session, municipality_user("2480"))["indicator_code"]) == [
        "skriftliga_rutiner"]


def test_import_wrong_units_refused_all_at_once(session) -> None:
    setup_pilot(session)
    text = ("pilot,kommunkod,indikator,periodstart,varde\n"
            "tryggvaxt,2482,andel_i_malomraden,2025-04-01,135\n"
            "tryggvaxt,2482,foraldrar_nadda,2025-04-01,\"12,5\"\n"
            "tryggvaxt,2482,foraldrar_nadda,2025-07-01,30\n")
    with pytest.raises(ValidationError) as err:
        run_import(session, SYSTEM_USER, INDICATORS_IMPORTER, text.encode(), "ind.csv")
    messages = [str(p) for p in err.value.problems]
    assert len(messages) == 2
    assert messages[0].startswith("ind.csv, rad 2, kolumn varde: andel_i_malomraden: andel måste vara 0–100 %, fick 135")
    assert messages[1].startswith("ind.csv, rad 3, kolumn varde")
    assert count(session, IndicatorValue) == 0
