"""Blank import templates (xlsx with drop-downs and instructions, or Swedish-Excel CSV) and their docs.

A template is written from the same ``RecordSpec`` that ``pilots.tabular.parse_records`` checks
against, so a filled template always has the headers the importer expects.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pilots.errors import ValidationError
from pilots.privacy import FREE_TEXT_WARNING_EN, FREE_TEXT_WARNING_SV
from pilots.tabular import CellError, Column, RecordSpec, parse_cell

LISTS_SHEET = "Listor"
INSTRUCTIONS_SHEET = {"sv": "Instruktioner", "en": "Instructions"}
# Data validations and column formats cover this many rows below the header.
TEMPLATE_ROWS = 10000

_KIND_LABELS = {
    "sv": {
        "text": "Text (högst {n} tecken)",
        "free_text": "Fritext (högst {n} tecken)",
        "int": "Heltal, t.ex. 12",
        "decimal": "Tal, t.ex. 12,5",
        "date": "Datum ÅÅÅÅ-MM-DD",
        "datetime": "Datum och tid ÅÅÅÅ-MM-DD TT:MM",
        "bool": "ja eller nej",
        "choice": "Ett av de tillåtna värdena",
        "municipality_code": "Kommunkod, fyra siffror (t.ex. 0180)",
    },
    "en": {
        "text": "Text (at most {n} characters)",
        "free_text": "Free text (at most {n} characters)",
        "int": "Whole number, e.g. 12",
        "decimal": "Number, e.g. 12.5 or 12,5",
        "date": "Date YYYY-MM-DD",
        "datetime": "Date and time YYYY-MM-DD HH:MM",
        "bool": "yes or no (ja/nej)",
        "choice": "One of the allowed values",
        "municipality_code": "Municipality code, four digits (e.g. 0180)",
    },
}
_HEADINGS = {
    "sv": ("Kolumn", "Obligatorisk", "Typ", "Tillåtna värden", "Exempel", "Beskrivning"),
    "en": ("Column", "Required", "Type", "Allowed values", "Example", "Description"),
}
_YES_NO = {"sv": ("ja", "nej"), "en": ("yes", "no")}
_TEXT_KINDS = ("text", "free_text", "municipality_code", "choice")


def _lang(lang: str) -> str:
    if lang not in ("sv", "en"):
        raise ValueError(f"lang must be 'sv' or 'en', not {lang!r}")
    return lang


def kind_label(column: Column, lang: str = "sv") -> str:
    """Human description of a column's kind in ``lang``."""
    return _KIND_LABELS[_lang(lang)][column.kind].format(n=column.max_length)


def _choices(column: Column, override: Mapping[str, Sequence[str]] | None) -> tuple[str, ...]:
    if override and column.name in override:
        return tuple(override[column.name])
    return column.choices


def _allowed_text(column: Column, choices: Sequence[str], lang: str) -> str:
    if column.kind == "choice":
        return ", ".join(choices)
    if column.kind == "bool":
        return "ja, nej, x" if lang == "sv" else "yes, no, ja, nej, x"
    return ""


def _required_text(column: Column, lang: str) -> str:
    return _YES_NO[lang][0 if column.required else 1]


def write_template(
    spec: RecordSpec,
    path: Path,
    lang: str = "sv",
    choices_override: dict[str, list[str]] | None = None,
) -> Path:
    """Write a fill-in template for ``spec`` to ``path`` (.xlsx or .csv); returns ``path``.

    xlsx: data sheet with bold frozen header, one example row, drop-downs for choice and yes/no
    columns (values on a hidden "Listor" sheet), ISO date formats, text format for codes, and an
    instructions sheet documenting every column. csv: UTF-8 with BOM, semicolon separated.
    """
    lang = _lang(lang)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _write_xlsx_template(spec, path, lang, choices_override)
    elif suffix == ".csv":
        path.write_bytes(csv_template_bytes(spec))
    else:
        raise ValidationError(
            f"mallen kan bara skrivas som .xlsx eller .csv, inte '{suffix or path.name}' "
            "(templates are .xlsx or .csv)",
            source=str(path),
        )
    return path


def csv_template_bytes(spec: RecordSpec) -> bytes:
    """The CSV template: UTF-8 BOM, ';' separated, header row and example row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name for c in spec.columns])
    writer.writerow([c.example for c in spec.columns])
    return buffer.getvalue().encode("utf-8-sig")


def _example_value(column: Column) -> Any:
    """The example as the cell Excel should hold (a real date, a number), or the text itself."""
    if not column.example:
        return None
    if column.kind in _TEXT_KINDS or column.kind == "bool":
        return column.example
    try:
        return parse_cell(column.example, column)
    except CellError:
        return column.example


def _sheet_title(text: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in text).strip("'") or "Data"
    return cleaned[:31]


def _write_xlsx_template(
    spec: RecordSpec, path: Path, lang: str, override: Mapping[str, Sequence[str]] | None
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    ws = workbook.active
    ws.title = _sheet_title(spec.title(lang))
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    bold = Font(bold=True)
    last_row = TEMPLATE_ROWS + 1
    list_col = 0
    yes_no = ("ja", "nej") if lang == "sv" else ("yes", "no")

    for i, column in enumerate(spec.columns, 1):
        letter = get_column_letter(i)
        head = ws.cell(row=1, column=i, value=column.name)
        head.font = bold
        example = _example_value(column)
        cell = ws.cell(row=2, column=i, value=example)
        number_format = {
            "date": "yyyy-mm-dd",
            "datetime": "yyyy-mm-dd hh:mm",
            "municipality_code": "@",
            "text": "@",
            "free_text": "@",
        }.get(column.kind)
        if number_format:
            cell.number_format = number_format
            ws.column_dimensions[letter].number_format = number_format
        if column.kind == "free_text":
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = max(len(column.name), len(str(column.example)), 10) + 2
        ws.column_dimensions[letter].width = min(width, 60 if column.kind == "free_text" else 40)

        values: tuple[str, ...] = ()
        if column.kind == "choice":
            values = _choices(column, override)
        elif column.kind == "bool":
            values = yes_no
        if values:
            list_col += 1
            list_letter = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=column.name).font = bold
            for r, value in enumerate(values, 2):
                lists.cell(row=r, column=list_col, value=value)
            reference = f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$2:${list_letter}${len(values) + 1}"
            validation = DataValidation(
                type="list",
                formula1=reference,
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="Ogiltigt värde" if lang == "sv" else "Invalid value",
                error=(
                    f"Välj ett värde i listan för '{column.name}'."
                    if lang == "sv"
                    else f"Choose a value from the list for '{column.name}'."
                ),
            )
            validation.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(validation)
        elif column.kind in ("date", "datetime"):
            validation = DataValidation(
                type="date",
                operator="greaterThan",
                formula1="1",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Ogiltigt datum" if lang == "sv" else "Invalid date",
                error="Skriv datum som 2024-03-01." if lang == "sv" else "Enter dates as 2024-03-01.",
            )
            validation.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    _write_instructions(workbook, spec, lang, override)
    workbook.move_sheet(lists, offset=1)  # data, instructions, hidden lists
    workbook.active = 0
    workbook.save(path)


def _write_instructions(
    workbook: Any, spec: RecordSpec, lang: str, override: Mapping[str, Sequence[str]] | None
) -> None:
    from openpyxl.styles import Alignment, Font

    ws = workbook.create_sheet(INSTRUCTIONS_SHEET[lang])
    ws.cell(row=1, column=1, value=spec.title(lang)).font = Font(bold=True, size=14)
    if lang == "sv":
        intro = (
            "Fyll i en rad per post på första bladet. Första raden är rubriker – ändra dem inte. "
            "Exempelraden kan skrivas över. Datum skrivs 2024-03-01. " + FREE_TEXT_WARNING_SV
        )
    else:
        intro = (
            "Fill in one row per record on the first sheet. The first row holds the headers – do not "
            "change them. Overwrite the example row. Dates are written 2024-03-01. " + FREE_TEXT_WARNING_EN
        )
    ws.cell(row=2, column=1, value=intro)
    for i, heading in enumerate(_HEADINGS[lang], 1):
        ws.cell(row=4, column=i, value=heading).font = Font(bold=True)
    for r, column in enumerate(spec.columns, 5):
        choices = _choices(column, override)
        row = (
            column.name,
            _required_text(column, lang),
            kind_label(column, lang),
            _allowed_text(column, choices, lang),
            column.example,
            column.doc(lang),
        )
        for i, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=i, value=value)
            cell.number_format = "@"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (24, 14, 30, 40, 20, 70), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def spec_markdown(
    spec: RecordSpec, lang: str = "sv", choices_override: dict[str, list[str]] | None = None
) -> str:
    """A Markdown section documenting the template columns of ``spec`` (for the README)."""
    lang = _lang(lang)
    lines = [f"### {spec.title(lang)} (`{spec.kind}`)", ""]
    if spec.key:
        keys = ", ".join(f"`{k}`" for k in spec.key)
        lines += [
            (
                f"Varje rad måste vara unik på {keys}."
                if lang == "sv"
                else f"Each row must be unique on {keys}."
            ),
            "",
        ]
    headings = _HEADINGS[lang]
    lines.append("| " + " | ".join(headings) + " |")
    lines.append("|" + "---|" * len(headings))
    also = "Även rubriken" if lang == "sv" else "Also accepted header"
    aliases_by_column: dict[str, list[str]] = {c.name: list(c.aliases) for c in spec.columns}
    for alias, target in spec.aliases.items():
        aliases_by_column[target].append(alias)
    for column in spec.columns:
        doc = column.doc(lang)
        if aliases_by_column[column.name]:
            names = ", ".join(f"'{a}'" for a in aliases_by_column[column.name])
            doc = f"{doc} {also}: {names}.".strip()
        cells = (
            f"`{column.name}`",
            _required_text(column, lang),
            kind_label(column, lang),
            _allowed_text(column, _choices(column, choices_override), lang),
            f"`{column.example}`" if column.example else "",
            doc,
        )
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
