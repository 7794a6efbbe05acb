"""Import templates: what a user downloads, fills in and uploads again."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pilots.errors import ValidationError
from pilots.tabular import Column, RecordSpec, parse_records, read_table
from pilots.templates import spec_markdown, write_template

SPEC = RecordSpec(
    kind="sites",
    title_sv="Platser",
    title_en="Sites",
    columns=(
        Column(
            "kommunkod",
            "municipality_code",
            required=True,
            example="0180",
            doc_sv="Kommunens kod",
            doc_en="The municipality's code",
        ),
        Column(
            "namn", "text", required=True, example="Skellefteå", doc_sv="Platsens namn", doc_en="Site name"
        ),
        Column("start", "date", example="2024-03-01", doc_sv="Startdatum", doc_en="Start date"),
        Column("andel", "decimal", example="12,5"),
        Column("aktiv", "bool", example="ja"),
        Column(
            "typ",
            "choice",
            choices=("Skola", "Socialtjänst", "Polis, lokal"),
            example="Skola",
            doc_sv="Verksamhetens typ | huvudman",
            doc_en="Kind of organisation",
        ),
        Column("möte", "datetime", example="2024-03-01 10:00"),
    ),
    key=("kommunkod", "namn"),
    aliases={"Kommun": "kommunkod"},
)


def test_xlsx_template_round_trip(tmp_path: Path) -> None:
    path = write_template(SPEC, tmp_path / "platser.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws.append(
        ["0182", "Örebro", datetime(2025, 1, 31), 0.5, "nej", "Polis, lokal", datetime(2025, 2, 1, 9, 30)]
    )
    ws.append([180, "Nacka", "2025-02-01", "1 234,5", "x", "socialtjänst", None])
    wb.save(path)

    records = parse_records(read_table(path), SPEC)
    assert len(records) == 3
    example, filled, typed = records
    assert example == {
        "kommunkod": "0180",
        "namn": "Skellefteå",
        "start": date(2024, 3, 1),
        "andel": 12.5,
        "aktiv": True,
        "typ": "Skola",
        "möte": datetime(2024, 3, 1, 10, 0),
    }
    assert filled["start"] == date(2025, 1, 31)
    assert filled["typ"] == "Polis, lokal"
    assert filled["aktiv"] is False
    assert filled["möte"] == datetime(2025, 2, 1, 9, 30)
    assert typed["kommunkod"] == "0180"
    assert typed["andel"] == 1234.5
    assert typed["typ"] == "Socialtjänst"


def test_xlsx_template_layout(tmp_path: Path) -> None:
    path = write_template(SPEC, tmp_path / "platser.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Platser", "Instruktioner", "Listor"]
    ws = wb["Platser"]
    assert [c.value for c in ws[1]] == [c.name for c in SPEC.columns]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["C2"].value == datetime(2024, 3, 1)  # a real date cell, not text
    assert ws["A2"].value == "0180" and ws["A2"].data_type == "s"
    assert ws.column_dimensions["A"].number_format == "@"  # typed codes stay text
    assert wb["Listor"].sheet_state == "hidden"


def test_xlsx_template_has_list_validations_referencing_the_hidden_sheet(tmp_path: Path) -> None:
    path = write_template(SPEC, tmp_path / "platser.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Platser"]
    lists = wb["Listor"]
    by_column = {}
    for validation in ws.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            by_column[cell_range.coord.split(":")[0]] = validation
    typ = by_column["F2"]
    assert typ.type == "list"
    assert typ.formula1.startswith("'Listor'!")
    sheet, ref = typ.formula1.split("!")
    values = [c.value for row in lists[ref.replace("$", "")] for c in row]
    assert values == ["Skola", "Socialtjänst", "Polis, lokal"]  # a comma in a value is fine
    assert typ.allow_blank is True
    aktiv = by_column["E2"]
    assert [c.value for row in lists[aktiv.formula1.split("!")[1].replace("$", "")] for c in row] == [
        "ja",
        "nej",
    ]
    assert by_column["C2"].type == "date"


def test_choices_override_feeds_dropdown_and_instructions(tmp_path: Path) -> None:
    many = [f"Forum {i:03d}" for i in range(300)]
    path = write_template(SPEC, tmp_path / "p.xlsx", lang="en", choices_override={"typ": many})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Sites", "Instructions", "Listor"]
    validation = next(
        v for v in wb["Sites"].data_validations.dataValidation if v.type == "list" and "$B$" in v.formula1
    )
    assert validation.formula1.endswith("$B$301")
    instructions = wb["Instructions"]
    rows = {r[0]: r for r in instructions.iter_rows(min_row=5, values_only=True)}
    assert rows["typ"][3].startswith("Forum 000, Forum 001")
    assert rows["kommunkod"][1] == "yes" and rows["start"][1] == "no"
    assert rows["namn"][5] == "Site name"


def test_instructions_sheet_documents_every_column_in_swedish(tmp_path: Path) -> None:
    path = write_template(SPEC, tmp_path / "platser.xlsx")
    ws = openpyxl.load_workbook(path)["Instruktioner"]
    assert [c.value for c in ws[4]] == [
        "Kolumn",
        "Obligatorisk",
        "Typ",
        "Tillåtna värden",
        "Exempel",
        "Beskrivning",
    ]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert [r[0] for r in rows] == [c.name for c in SPEC.columns]
    kommunkod = rows[0]
    assert kommunkod[1] == "ja" and "fyra siffror" in kommunkod[2] and kommunkod[5] == "Kommunens kod"
    assert rows[5][3] == "Skola, Socialtjänst, Polis, lokal"
    assert "personnummer" in ws["A2"].value  # the privacy warning is part of the instructions


def test_csv_template_is_bom_semicolon_and_reads_back(tmp_path: Path) -> None:
    path = write_template(SPEC, tmp_path / "platser.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "kommunkod;namn;start;andel;aktiv;typ;möte"
    assert lines[1] == "0180;Skellefteå;2024-03-01;12,5;ja;Skola;2024-03-01 10:00"
    records = parse_records(read_table(path), SPEC)
    assert records[0]["andel"] == 12.5 and records[0]["kommunkod"] == "0180"


def test_unknown_template_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"\.xlsx eller \.csv"):
        write_template(SPEC, tmp_path / "platser.ods")


def test_spec_markdown_table() -> None:
    text = spec_markdown(SPEC)
    lines = text.splitlines()
    assert lines[0] == "### Platser (`sites`)"
    assert "Varje rad måste vara unik på `kommunkod`, `namn`." in lines
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| Kolumn | Obligatorisk | Typ | Tillåtna värden | Exempel | Beskrivning |"
    assert len(table) == 2 + len(SPEC.columns)
    assert table[2].startswith("| `kommunkod` | ja |") and "'Kommun'" in table[2]
    assert "Verksamhetens typ \\| huvudman" in table[7]  # a pipe in the doc does not break the table
    english = spec_markdown(SPEC, lang="en")
    assert english.startswith("### Sites (`sites`)") and "| `namn` | yes |" in english
