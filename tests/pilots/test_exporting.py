"""Exports a user downloads and opens in Excel: Swedish CSV, xlsx, JSON; formulas neutralised."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pilots.errors import ValidationError
from pilots.exporting import neutralise_formula, records_to_bytes, write_records
from pilots.tabular import Column, RecordSpec, parse_records, read_table


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kommunkod": ["0180", "2482"],
            "namn": ["Skellefteå", '=HYPERLINK("http://x")'],
            "andel": [12.5, None],
            "antal": [3, 1234],
            "aktiv": [True, False],
            "start": pd.to_datetime(["2024-03-01", "2024-11-30"]),
            "möte": pd.to_datetime(["2024-03-01 10:00", "2024-03-02 13:45"]),
        }
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+46 70", "'+46 70"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("Örebro", "Örebro"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_neutralise_formula(value: object, expected: object) -> None:
    assert neutralise_formula(value) == expected


def test_swedish_csv_is_bom_semicolon_decimal_comma_iso_dates() -> None:
    data = records_to_bytes(frame(), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "kommunkod;namn;andel;antal;aktiv;start;möte"
    assert lines[1] == "0180;Skellefteå;12,5;3;ja;2024-03-01;2024-03-01 10:00"
    assert lines[2] == '2482;"\'=HYPERLINK(""http://x"")";;1234;nej;2024-11-30;2024-03-02 13:45'


def test_plain_csv_dialect() -> None:
    lines = records_to_bytes(frame(), "csv", dialect="plain").decode("utf-8").split("\r\n")
    assert lines[0] == "kommunkod,namn,andel,antal,aktiv,start,möte"
    assert lines[1] == "0180,Skellefteå,12.5,3,true,2024-03-01,2024-03-01 10:00"


def test_swedish_csv_reads_back_through_the_importer() -> None:
    spec = RecordSpec(
        "x",
        "X",
        "X",
        (
            Column("kommunkod", "municipality_code"),
            Column("namn", "text"),
            Column("andel", "decimal"),
            Column("antal", "int"),
            Column("aktiv", "bool"),
            Column("start", "date"),
            Column("möte", "datetime"),
        ),
    )
    df = frame().iloc[:1]
    records = parse_records(read_table(records_to_bytes(df, "csv"), "export.csv"), spec)
    assert records[0]["kommunkod"] == "0180"
    assert records[0]["andel"] == 12.5
    assert records[0]["aktiv"] is True
    assert records[0]["start"] == date(2024, 3, 1)


def test_xlsx_export_keeps_codes_as_text_and_neutralises_formulas(tmp_path: Path) -> None:
    path = write_records(frame(), tmp_path / "ut.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert [c.value for c in ws[1]] == list(frame().columns)
    assert all(c.font.bold for c in ws[1])
    assert ws["A2"].value == "0180" and ws["A2"].data_type == "s"
    assert ws["B3"].value == '\'=HYPERLINK("http://x")'
    assert ws["B3"].data_type == "s"  # stored as text, not as a formula
    assert ws["C2"].value == 12.5 and ws["C3"].value is None
    assert ws["F2"].number_format == "yyyy-mm-dd"
    assert ws["F2"].value.date() == date(2024, 3, 1)
    assert ws["G3"].value.hour == 13


def test_xlsx_export_never_contains_formula_cells() -> None:
    df = pd.DataFrame({"a": ["=1+1", "+1", "-1", "@x"], "=b": ["ok", "ok", "ok", "ok"]})
    ws = openpyxl.load_workbook(io.BytesIO(records_to_bytes(df, "xlsx"))).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [c.value for c in ws["A"]] == ["a", "'=1+1", "'+1", "'-1", "'@x"]
    assert ws["B1"].value == "'=b"


def test_numbers_are_not_neutralised() -> None:
    df = pd.DataFrame({"saldo": [-5.5, -3]})
    assert records_to_bytes(df, "csv").decode("utf-8-sig").split("\r\n")[1] == "-5,5"
    ws = openpyxl.load_workbook(io.BytesIO(records_to_bytes(df, "xlsx"))).active
    assert ws["A2"].value == -5.5


def test_json_export_is_records_with_iso_dates_and_unescaped_letters(tmp_path: Path) -> None:
    path = write_records(frame(), tmp_path / "ut.json")
    text = path.read_text(encoding="utf-8")
    assert "Skellefteå" in text  # not \u00e5
    data = json.loads(text)
    assert data[0] == {
        "kommunkod": "0180",
        "namn": "Skellefteå",
        "andel": 12.5,
        "antal": 3,
        "aktiv": True,
        "start": "2024-03-01",
        "möte": "2024-03-01T10:00:00",
    }
    assert data[1]["andel"] is None
    assert data[1]["namn"] == '=HYPERLINK("http://x")'  # JSON is data, not a spreadsheet


def test_write_records_picks_format_by_extension_and_refuses_others(tmp_path: Path) -> None:
    csv_path = write_records(frame(), tmp_path / "ut.CSV")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbfkommunkod;")
    with pytest.raises(ValidationError, match=r"\.pdf"):
        write_records(frame(), tmp_path / "ut.pdf")
    with pytest.raises(ValidationError):
        records_to_bytes(frame(), "parquet")


def test_empty_frame_writes_header_only() -> None:
    df = pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)})
    assert records_to_bytes(df, "csv").decode("utf-8-sig") == "a;b\r\n"
    assert json.loads(records_to_bytes(df, "json")) == []
