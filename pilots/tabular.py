"""Read CSV and Excel files the way Swedish users write them and turn rows into checked records.

Every importer (sites, milestones, log, indicators, meetings, survey) describes its file as a
``RecordSpec`` and calls ``read_table`` then ``parse_records``. All cells are read as text (CSV) or
as Excel's own values (xlsx), so a code like "0180" never loses its leading zero. Problems are
collected for the whole file and raised once as a ``ValidationError`` naming file, row and column.

Accepted cell forms:

- dates ``2024-03-01`` (Excel date cells too); date-times ``2024-03-01 10:00`` or ``10:00:00``;
- numbers with decimal comma or point, thousands grouped by space or non-breaking space (``1 234,5``);
- booleans ``ja/nej``, ``yes/no``, ``1/0``, ``x`` (and ``sant/falskt``, ``true/false``);
- CSV separated by ``;``, ``,``, tab or ``|`` (sniffed), UTF-8 with or without BOM, UTF-16 with BOM
  (Excel's "Unicode text") or Windows-1252.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import operator
import os
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pilots.errors import PersonalDataError, Problem, ValidationError
from pilots.privacy import check_text, find_personal_identity_numbers

__all__ = [
    "ACCEPTED_FORMATS",
    "KINDS",
    "MAX_UPLOAD_BYTES",
    "CellError",
    "Column",
    "RawRow",
    "RawTable",
    "RecordSpec",
    "cell_text",
    "max_upload_bytes",
    "normalise_header",
    "parse_bool",
    "parse_cell",
    "parse_choice",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_int",
    "parse_municipality_code",
    "parse_records",
    "read_table",
    "sniff_delimiter",
]

KINDS: tuple[str, ...] = (
    "text",
    "free_text",
    "int",
    "decimal",
    "date",
    "datetime",
    "bool",
    "choice",
    "municipality_code",
)
DEFAULT_MAX_LENGTH = {"free_text": 2000, "text": 200}
ACCEPTED_FORMATS = ".csv, .xlsx"
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx",)
# A file with thousands of wrong rows would otherwise produce an unreadable message.
MAX_PROBLEMS = 500


def max_upload_bytes() -> int:
    """Upload size limit in bytes: env ``WORKBENCH_MAX_UPLOAD_MB`` (megabytes), default 20 MB."""
    raw = os.environ.get("WORKBENCH_MAX_UPLOAD_MB", "").strip()
    try:
        megabytes = float(raw) if raw else 20.0
    except ValueError:
        megabytes = 20.0
    if not math.isfinite(megabytes) or megabytes <= 0:
        megabytes = 20.0
    return int(megabytes * 1024 * 1024)


MAX_UPLOAD_BYTES = max_upload_bytes()


@dataclass(frozen=True)
class Column:
    """One column of an import file: its canonical name, kind, whether required, and documentation."""

    name: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    doc_sv: str = ""
    doc_en: str = ""
    example: str = ""
    max_length: int | None = None
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Column {self.name!r}: unknown kind {self.kind!r}; expected one of {KINDS}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"Column {self.name!r}: kind 'choice' needs choices")
        if self.max_length is None and self.kind in DEFAULT_MAX_LENGTH:
            object.__setattr__(self, "max_length", DEFAULT_MAX_LENGTH[self.kind])
        object.__setattr__(self, "choices", tuple(self.choices))
        object.__setattr__(self, "aliases", tuple(self.aliases))

    def doc(self, lang: str = "sv") -> str:
        """Documentation text in ``lang`` (falls back to the other language when empty)."""
        return (self.doc_en or self.doc_sv) if lang == "en" else (self.doc_sv or self.doc_en)


@dataclass(frozen=True)
class RecordSpec:
    """What an import file of one kind holds: its columns, unique key and accepted header aliases.

    ``aliases`` maps an alternative header (e.g. "Kommunkod") to a canonical column name; headers
    are matched case-, accent- and punctuation-insensitively ("Kommun kod" == "kommunkod").
    """

    kind: str
    title_sv: str
    title_en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "key", tuple(self.key))
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"RecordSpec {self.kind!r}: duplicate column names")
        for k in self.key:
            if k not in names:
                raise ValueError(f"RecordSpec {self.kind!r}: key column {k!r} is not a column")
        for alias, target in self.aliases.items():
            if target not in names:
                raise ValueError(f"RecordSpec {self.kind!r}: alias {alias!r} points to unknown {target!r}")

    def title(self, lang: str = "sv") -> str:
        return self.title_en if lang == "en" else self.title_sv

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def header_lookup(self) -> dict[str, str]:
        """Normalised header text → canonical column name (names, column aliases, spec aliases)."""
        lookup: dict[str, str] = {}
        for c in self.columns:
            lookup[normalise_header(c.name)] = c.name
            for alias in c.aliases:
                lookup.setdefault(normalise_header(alias), c.name)
        for alias, target in self.aliases.items():
            lookup.setdefault(normalise_header(alias), target)
        return lookup


def normalise_header(text: str) -> str:
    """Header text for matching: accents dropped (å→a, ö→o), case folded, punctuation → '_'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", stripped.casefold())


# ---------------------------------------------------------------------------------------------
# Reading files


@dataclass(frozen=True)
class RawRow:
    """One non-empty data row: its 1-based spreadsheet row number and its cells (str or Excel values)."""

    number: int
    cells: tuple[Any, ...]


@dataclass(frozen=True)
class RawTable:
    """A file's header and data rows before any type conversion."""

    filename: str
    header: tuple[str, ...]
    rows: tuple[RawRow, ...]
    header_row: int = 1
    sheet: str | None = None


def _refuse(filename: str, message: str) -> ValidationError:
    return ValidationError([Problem(filename, message)], source=filename)


def read_table(
    source: Path | bytes,
    filename: str | None = None,
    sheet: str | None = None,
    *,
    max_bytes: int | None = None,
) -> RawTable:
    """Read a .csv/.txt or .xlsx file (path or uploaded bytes) into a ``RawTable``.

    The first non-empty row is the header. Fully empty rows and trailing empty columns are skipped,
    whitespace is stripped. CSV cells stay text; xlsx cells keep Excel's values (numbers, dates).
    Refuses (``ValidationError``) files over the size limit, unknown extensions and content that
    does not match its extension.
    """
    if filename is None:
        if isinstance(source, (bytes, bytearray)):
            raise TypeError("filename is required when source is bytes")
        filename = Path(source).name
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    suffix = Path(filename).suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        hint = " Spara filen som .xlsx i Excel (Arkiv → Spara som)." if suffix in (".xls", ".ods") else ""
        raise _refuse(
            filename,
            f"filtypen '{suffix or '(ingen)'}' kan inte läsas; använd {ACCEPTED_FORMATS}.{hint} "
            f"(Unsupported file type; accepted: {ACCEPTED_FORMATS}.)",
        )
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as err:
            raise _refuse(
                filename, f"filen kan inte öppnas ({err.strerror}). (File cannot be opened.)"
            ) from err
        if size > limit:
            raise _too_big(filename, size, limit)
        data = path.read_bytes()
    if len(data) > limit:
        raise _too_big(filename, len(data), limit)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(data, filename, sheet)
    return _read_csv(data, filename)


def _too_big(filename: str, size: int, limit: int) -> ValidationError:
    mb = 1024 * 1024
    return _refuse(
        filename,
        f"filen är {size / mb:.1f} MB; största tillåtna storlek är {limit / mb:.0f} MB. "
        f"(File too large; the limit is {limit / mb:.0f} MB.)",
    )


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _build_table(
    filename: str, numbered_rows: Iterable[tuple[int, Sequence[Any]]], sheet: str | None
) -> RawTable:
    header: tuple[str, ...] | None = None
    header_row = 1
    rows: list[RawRow] = []
    for number, cells in numbered_rows:
        # Text stripped, empty text → None (inline: a national file has a million cells).
        cleaned = [(c.strip() or None) if isinstance(c, str) else c for c in cells]
        while cleaned and cleaned[-1] is None:
            cleaned.pop()
        if not cleaned:
            continue
        if header is None:
            header = tuple("" if c is None else _header_text(c) for c in cleaned)
            header_row = number
            continue
        rows.append(RawRow(number, tuple(cleaned)))
    if header is None:
        raise _refuse(filename, "filen är tom – den saknar rubrikrad och rader. (The file is empty.)")
    return RawTable(filename, header, tuple(rows), header_row, sheet)


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes, filename: str, sheet: str | None) -> RawTable:
    not_excel = (
        "innehållet är inte en Excel-arbetsbok (.xlsx). Öppna filen i Excel och spara som "
        "'Excel-arbetsbok (.xlsx)' eller som CSV. (Content is not an .xlsx workbook.)"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                raise _refuse(filename, not_excel)
            content_types = archive.read("[Content_Types].xml")
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError) as err:
        raise _refuse(filename, not_excel) from err
    except KeyError as err:  # listed but missing
        raise _refuse(filename, not_excel) from err
    if b"spreadsheetml" not in content_types:
        raise _refuse(filename, not_excel)
    if unpacked > max(10 * len(data), 200 * 1024 * 1024):  # a zip bomb, not a spreadsheet
        raise _refuse(filename, "arbetsboken packas upp till orimlig storlek. (Workbook expands too much.)")

    import openpyxl  # imported here: reading CSV must not pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds on damaged files; all mean "unreadable"
        raise _refuse(
            filename, f"Excel-filen kan inte läsas ({type(err).__name__}). (The workbook is damaged.)"
        ) from err
    try:
        worksheets = list(workbook.worksheets)
        if not worksheets:
            raise _refuse(filename, "arbetsboken har inga kalkylblad. (The workbook has no sheets.)")
        if sheet is None:
            ws = worksheets[0]
        else:
            matches = [w for w in worksheets if w.title == sheet] or [
                w for w in worksheets if w.title.casefold() == sheet.casefold()
            ]
            if not matches:
                available = ", ".join(f"'{w.title}'" for w in worksheets)
                raise _refuse(
                    filename,
                    f"bladet '{sheet}' finns inte; arbetsboken har {available}. (Sheet not found.)",
                )
            ws = matches[0]
        try:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # some writers store wrong dimensions; read what is there
            numbered = [(i, row) for i, row in enumerate(ws.iter_rows(min_row=1, values_only=True), 1)]
        except Exception as err:  # damaged sheet XML surfaces only while iterating
            raise _refuse(
                filename, f"Excel-bladet kan inte läsas ({type(err).__name__}). (The sheet is damaged.)"
            ) from err
        return _build_table(filename, numbered, ws.title)
    finally:
        workbook.close()


def _decode_text(data: bytes, filename: str) -> str:
    not_text = (
        "innehållet är inte en textfil (CSV). Spara filen som 'CSV UTF-8 (kommaavgränsad)' i Excel. "
        "(Content is not a text/CSV file.)"
    )
    if data.startswith(b"PK\x03\x04"):
        raise _refuse(
            filename,
            "filen är en Excel-arbetsbok men heter .csv; döp om den till .xlsx. "
            "(This is an .xlsx workbook with a .csv name.)",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise _refuse(filename, not_text) from err
    else:
        if b"\x00" in data:
            raise _refuse(filename, not_text)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as err:
                raise _refuse(filename, not_text) from err
    text = text.lstrip("\ufeff")
    # Binary content decodes as cp1252 too; real text has no NUL and (almost) no control characters.
    controls = len(_CONTROL_CHARS.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise _refuse(filename, not_text)
    return text


_DELIMITERS = (";", ",", "\t", "|")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def sniff_delimiter(text: str) -> str:
    """The separator that splits the header into most columns with consistent rows; ';' on a tie."""
    sample_lines = text[:65536].splitlines()[:60]
    sample = "\n".join(sample_lines)
    best = ";"
    best_score: tuple[float, int] = (0.0, 1)
    for delimiter in _DELIMITERS:
        try:
            rows = [
                r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(c.strip() for c in r)
            ]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        while width > 1 and not rows[0][width - 1].strip():
            width -= 1
        if width < 2:
            continue
        body = rows[1:-1] if len(rows) > 2 else rows[1:]  # the sample's last line may be cut off
        consistent = sum(1 for r in body if len(r) >= width and not any(c.strip() for c in r[width:]))
        share = consistent / len(body) if body else 1.0
        score = (share, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, filename: str) -> RawTable:
    text = _decode_text(data, filename)
    first_line, _, rest = text.partition("\n")
    sep_hint = re.fullmatch(r"\s*sep=(.)\s*", first_line)
    if sep_hint:  # Excel's "sep=;" line: honour it; Excel hides it, so row numbers start after it
        delimiter = sep_hint.group(1)
        text = rest
    else:
        delimiter = sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _build_table(filename, enumerate(reader, 1), None)
    except csv.Error as err:
        raise _refuse(filename, f"CSV-filen kan inte tolkas ({err}). (Malformed CSV.)") from err


# ---------------------------------------------------------------------------------------------
# Cell parsers (also for forms)


class CellError(ValueError):
    """A single value could not be converted; the message says what was expected."""


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_DATETIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _date_error(value: Any) -> CellError:
    return CellError(
        f"förväntade ett datum som 2024-03-01, fick '{_shown(value)}' (expected a date YYYY-MM-DD)"
    )


def _datetime_error(value: Any) -> CellError:
    return CellError(
        f"förväntade datum och tid som 2024-03-01 10:00, fick '{_shown(value)}' (expected YYYY-MM-DD HH:MM)"
    )


def parse_date(value: Any) -> date | None:
    """``2024-03-01`` (or an Excel date cell) → ``date``; empty → None; else ``CellError``.

    A time of exactly midnight is accepted ("2024-03-01 00:00", Excel date cells); any other time
    of day is refused because the column holds dates only.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        if value.time() != time(0, 0):
            raise CellError(
                f"förväntade ett datum utan klockslag som 2024-03-01, fick '{value:%Y-%m-%d %H:%M}' "
                "(expected a date without time)"
            )
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _date_error(value)
    return _parse_date_text(value)


@functools.lru_cache(maxsize=4096)
def _parse_date_text(value: str) -> date:
    # Cached: a file's dates repeat (thousands of meetings on a few hundred days).
    m = _ISO_DATETIME.fullmatch(value.strip())
    if not m:
        raise _date_error(value)
    y, mo, d, hh, mm, ss = m.groups()
    if hh is not None and (int(hh), int(mm), int(ss or 0)) != (0, 0, 0):
        raise CellError(
            f"förväntade ett datum utan klockslag som 2024-03-01, fick '{_shown(value)}' "
            "(expected a date without time)"
        )
    try:
        return date(int(y), int(mo), int(d))
    except ValueError as err:
        raise CellError(
            f"'{_shown(value)}' är inget giltigt datum; skriv som 2024-03-01 (not a valid date)"
        ) from err


def parse_datetime(value: Any) -> datetime | None:
    """``2024-03-01 10:00[:00]`` (or ``T``; a plain date means midnight; Excel cells) → ``datetime``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise _datetime_error(value)
    m = _ISO_DATETIME.fullmatch(value.strip())
    if not m:
        raise _datetime_error(value)
    y, mo, d, hh, mm, ss = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError as err:
        raise CellError(
            f"'{_shown(value)}' är ingen giltig tidpunkt; skriv som 2024-03-01 10:00 "
            "(not a valid date and time)"
        ) from err


_SPACES = "\u00a0\u202f\u2009 "
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)(?:[.,]\d+)?|[+-]?[.,]\d+")


def _number_error(value: Any, what: str = "ett tal som 12,5 eller 1 234", en: str = "a number") -> CellError:
    return CellError(f"förväntade {what}, fick '{_shown(value)}' (expected {en})")


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _number_error(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _number_error(value)
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _number_error(value)
        return value
    if not isinstance(value, str):
        raise _number_error(value)
    text = value.strip().replace("\u2212", "-")  # Unicode minus, as some Excel locales write it
    if not _NUMBER.fullmatch(text):
        raise _number_error(value)
    for ch in _SPACES:
        text = text.replace(ch, "")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as err:
        raise _number_error(value) from err


def parse_decimal(value: Any) -> float | None:
    """``12,5`` / ``12.5`` / ``1 234,5`` (space or NBSP groups) / Excel number → ``float``; empty → None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    result = float(_to_decimal(value))
    if not math.isfinite(result):
        raise _number_error(value)
    return result


def parse_int(value: Any) -> int | None:
    """``1234`` / ``1 234`` / ``12,0`` / Excel number with no fraction → ``int``; empty → None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = _to_decimal(value)
    except CellError as err:
        raise _number_error(value, "ett heltal som 12", "a whole number") from err
    if number != number.to_integral_value():
        raise _number_error(value, "ett heltal som 12", "a whole number")
    return int(number)


_TRUE = frozenset({"ja", "j", "yes", "y", "1", "x", "sant", "true"})
_FALSE = frozenset({"nej", "n", "no", "0", "falskt", "false"})


def parse_bool(value: Any) -> bool | None:
    """``ja/yes/1/x/sant/true`` → True, ``nej/no/0/falskt/false`` → False, empty → None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        key = value.strip().casefold()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise CellError(
        f"förväntade ja eller nej (också yes/no, 1/0, x), fick '{_shown(value)}' (expected yes/no)"
    )


def parse_municipality_code(value: Any) -> str | None:
    """A four-digit municipality code as text; ``180`` (Excel number or stripped text) → ``"0180"``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _code_error(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise _code_error(value)
        value = int(value)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise _code_error(value)
    if text.isascii() and text.isdigit() and 3 <= len(text) <= 4:
        return text.zfill(4)
    raise _code_error(value)


def _code_error(value: Any) -> CellError:
    return CellError(
        f"förväntade en kommunkod med fyra siffror som 0180, fick '{_shown(value)}' "
        "(expected a four-digit municipality code)"
    )


def cell_text(value: Any) -> str | None:
    """Any cell as text: Excel numbers without a spurious '.0', dates in ISO form; empty → None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


@functools.lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    if text.isascii():  # nothing to decompose (most keys): the same result, much faster
        return text.casefold().strip()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


@functools.lru_cache(maxsize=64)
def _casefolded_choices(choices: tuple[str, ...]) -> dict[str, str]:
    """Each choice by its case-folded form (the first wins, as a scan in order would)."""
    index: dict[str, str] = {}
    for choice in choices:
        index.setdefault(choice.casefold(), choice)
    return index


def parse_choice(value: Any, choices: Sequence[str]) -> str | None:
    """Match ``value`` to one of ``choices`` ignoring case (and accents when unambiguous)."""
    text = cell_text(value)
    if text is None:
        return None
    exact = _casefolded_choices(tuple(choices)).get(text.casefold())
    if exact is not None:
        return exact
    loose = [c for c in choices if _fold(c) == _fold(text)]
    if len(loose) == 1:
        return loose[0]
    raise CellError(
        f"'{_shown(text)}' är inte ett tillåtet värde; tillåtna: {_list_choices(choices)} "
        "(not an allowed value)"
    )


def _list_choices(choices: Sequence[str], limit: int = 25) -> str:
    shown = ", ".join(f"'{c}'" for c in choices[:limit])
    if len(choices) > limit:
        shown += f" … ({len(choices) - limit} till)"
    return shown


def parse_cell(value: Any, column: Column, choices: Sequence[str] | None = None) -> Any:
    """Convert one cell per ``column.kind``; raise ``CellError`` with a short, exact message."""
    kind = column.kind
    if kind == "date":
        return parse_date(value)
    if kind == "datetime":
        return parse_datetime(value)
    if kind == "decimal":
        return parse_decimal(value)
    if kind == "int":
        return parse_int(value)
    if kind == "bool":
        return parse_bool(value)
    if kind == "municipality_code":
        return parse_municipality_code(value)
    if kind == "choice":
        return parse_choice(value, choices if choices is not None else column.choices)
    text = cell_text(value)
    if text is not None and column.max_length is not None and len(text) > column.max_length:
        raise CellError(
            f"texten är {len(text)} tecken; högst {column.max_length} tillåts "
            f"(text too long, max {column.max_length} characters)"
        )
    return text


# ---------------------------------------------------------------------------------------------
# Records

_Outcome = tuple[Any, tuple[str, ...]]  # a cell's record value and the problem messages it raises


def parse_records(
    raw: RawTable,
    spec: RecordSpec,
    *,
    choices_override: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """Convert every row of ``raw`` per ``spec``; raise one ``ValidationError`` listing all problems.

    Returns one dict per data row keyed by canonical column name (missing optional columns → None).
    Checks: unknown, duplicate and missing required columns; each cell's kind; required values;
    choices (``choices_override`` replaces a column's choices, e.g. with names from the database);
    text length; personal identity numbers in text; duplicate keys within the file.
    """
    filename = raw.filename
    header_where = f"{filename}, rubrikrad"
    problems: list[Problem] = []
    lookup = spec.header_lookup()
    overrides = {k: tuple(v) for k, v in (choices_override or {}).items()}

    positions: dict[str, int] = {}
    shown_header: dict[str, str] = {}
    unknown: list[str] = []
    blank_header_positions: list[int] = []
    for index, text in enumerate(raw.header):
        if not text:
            blank_header_positions.append(index)
            continue
        canonical = lookup.get(normalise_header(text))
        if canonical is None:
            unknown.append(text)
            continue
        if canonical in positions:
            problems.append(
                Problem(
                    header_where,
                    f"kolumnen '{canonical}' finns två gånger ('{shown_header[canonical]}' och '{text}') "
                    "(column appears twice)",
                )
            )
            continue
        positions[canonical] = index
        shown_header[canonical] = text
    if unknown:
        allowed = ", ".join(c.name for c in spec.columns)
        for text in unknown:
            problems.append(
                Problem(
                    header_where,
                    f"okänd kolumn '{_shown(text)}'; tillåtna kolumner: {allowed} (unknown column)",
                )
            )
    for c in spec.columns:
        if c.required and c.name not in positions:
            problems.append(
                Problem(header_where, f"obligatorisk kolumn '{c.name}' saknas (required column missing)")
            )

    records: list[dict[str, Any]] = []
    record_rows: list[int] = []
    width = len(raw.header)
    def where(row: RawRow, c: Column) -> str:  # built only for a problem (a file has a million cells)
        return f"{filename}, rad {row.number}, kolumn {shown_header.get(c.name, c.name)}"

    # A cell's outcome depends only on its text and its column, and a file repeats its texts heavily (the
    # same forum, attendance list or date on thousands of rows): each column converts and checks each
    # distinct text once. Other values (Excel numbers, dates) are converted every time: 1, 1.0 and True
    # are one dict key but not one cell.
    column_plan: list[tuple[Column, int | None, tuple[str, ...] | None, bool, dict[Any, _Outcome]]] = [
        (c, positions.get(c.name), overrides.get(c.name), c.kind in ("text", "free_text"), {})
        for c in spec.columns
    ]
    stray_possible = bool(blank_header_positions)
    for row in raw.rows:
        record: dict[str, Any] = {}
        cells = row.cells
        length = len(cells)
        for c, position, choices, is_text, outcomes in column_plan:
            if position is None:  # an optional column the file leaves out
                record[c.name] = None
                continue
            value = cells[position] if position < length else None
            if value is None or value.__class__ is str:
                outcome = outcomes.get(value)
                if outcome is None:
                    outcome = outcomes[value] = _cell_outcome(value, c, choices, is_text)
            else:
                outcome = _cell_outcome(value, c, choices, is_text)
            parsed, messages = outcome
            if messages:
                here = where(row, c)
                problems.extend(Problem(here, message) for message in messages)
            record[c.name] = parsed
        if stray_possible or length > width:
            stray = [i for i in blank_header_positions if i < length and not _is_empty(cells[i])]
            stray += [i for i in range(width, length) if not _is_empty(cells[i])]
            for i in stray:
                problems.append(
                    Problem(
                        f"{filename}, rad {row.number}, kolumn {_column_letters(i)}",
                        f"värdet '{_shown(cells[i])}' står i en kolumn utan rubrik "
                        "(value in a column without header)",
                    )
                )
        records.append(record)
        record_rows.append(row.number)

    if spec.key and all(k in positions for k in spec.key):
        problems.extend(_duplicate_key_problems(records, record_rows, spec, filename))

    if problems:
        raise ValidationError(_capped(problems), source=filename)
    return records


def _cell_outcome(
    value: Any, column: Column, choices: Sequence[str] | None, is_text: bool
) -> _Outcome:
    """One cell's record value and the problems it raises (kind, required value, personal identity number)."""
    try:
        parsed = parse_cell(value, column, choices)
    except CellError as err:
        return None, (str(err),)
    if parsed is None:
        return None, (_REQUIRED_VALUE_MISSING,) if column.required else ()
    if is_text and find_personal_identity_numbers(parsed):
        try:
            check_text(parsed, "")
        except PersonalDataError as err:
            return None, tuple(p.message for p in err.problems)
    return parsed, ()


_REQUIRED_VALUE_MISSING = "värde saknas; kolumnen är obligatorisk (required value missing)"


def _key_part(value: Any) -> Any:
    return _fold(value) if isinstance(value, str) else value


def _duplicate_key_problems(
    records: list[dict[str, Any]], rows: list[int], spec: RecordSpec, filename: str
) -> list[Problem]:
    seen: dict[tuple[Any, ...], int] = {}
    problems: list[Problem] = []
    key_of = operator.itemgetter(*spec.key)
    for record, number in zip(records, rows, strict=True):
        values = key_of(record) if len(spec.key) > 1 else (key_of(record),)
        if None in values:  # the values are text, numbers and dates: only None equals None
            continue
        key = tuple(map(_key_part, values))
        if key in seen:
            shown = ", ".join(f"{k} = '{cell_text(v)}'" for k, v in zip(spec.key, values, strict=True))
            problems.append(
                Problem(
                    f"{filename}, rad {number}",
                    f"samma {shown} som rad {seen[key]}; varje rad måste vara unik "
                    f"(duplicate of row {seen[key]})",
                )
            )
        else:
            seen[key] = number
    return problems


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [Problem("", f"… och {rest} problem till (and {rest} more problems)")]


def _column_letters(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
