"""Write tables (DataFrames) to CSV, xlsx and JSON for download, safe to open in Excel.

Dialects for CSV:

- ``"excel-sv"`` (default): UTF-8 with BOM, ``;`` separated, decimal comma (``12,5``), booleans
  ``ja``/``nej``: what Swedish Excel opens correctly by double-click, and what ``pilots.tabular``
  reads back.
- ``"plain"``: UTF-8 without BOM, ``,`` separated, decimal point, booleans ``true``/``false``.

In every dialect dates are ISO (``2024-03-01``; ``2024-03-01 10:00`` with a time), missing values
are empty, and text that Excel would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) is prefixed with ``'`` in CSV and xlsx. Timezone-aware times are written as
their wall-clock time without the zone. The DataFrame index is not written.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pilots.errors import ValidationError

FORMATS = ("csv", "xlsx", "json")
DIALECTS = ("excel-sv", "plain")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def neutralise_formula(value: Any) -> Any:
    """Prefix ``'`` to a string Excel would treat as a formula; other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return False


def _plain_value(value: Any) -> Any:
    """A cell as a plain Python value: None, bool, int, float, str, date, datetime, time."""
    if _is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, pd.Timedelta):
        return str(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, bool, int, float, date, time)):
        return value
    return str(value)


def _date_only_columns(df: pd.DataFrame) -> set[str]:
    """Datetime columns where every value is at midnight: written as dates, not date-times."""
    out: set[str] = set()
    for name in df.columns:
        series = df[name]
        if pd.api.types.is_datetime64_any_dtype(series):
            present = series.dropna()
            if len(present) and bool((present == present.dt.normalize()).all()):
                out.add(name)
    return out


def _rows(df: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    header = [str(c) for c in df.columns]
    date_only = _date_only_columns(df)
    rows: list[list[Any]] = []
    for values in df.itertuples(index=False, name=None):
        row = []
        for name, value in zip(df.columns, values, strict=True):
            plain = _plain_value(value)
            if name in date_only and isinstance(plain, datetime):
                plain = plain.date()
            row.append(plain)
        rows.append(row)
    return header, rows


def _format_datetime(value: datetime) -> str:
    if value.time() == time(0, 0):
        return value.strftime("%Y-%m-%d 00:00")
    return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")


def _format_float(value: float, decimal_comma: bool) -> str:
    text = f"{value:.15g}"
    return text.replace(".", ",") if decimal_comma else text


def _csv_text(value: Any, dialect: str) -> str:
    swedish = dialect == "excel-sv"
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("ja" if value else "nej") if swedish else ("true" if value else "false")
    if isinstance(value, float):
        return _format_float(value, swedish)
    if isinstance(value, datetime):
        return _format_datetime(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    return neutralise_formula(str(value))


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, not {dialect!r}")


def csv_bytes(df: pd.DataFrame, dialect: str = "excel-sv") -> bytes:
    """The table as CSV bytes in ``dialect`` (see the module docstring)."""
    _check_dialect(dialect)
    header, rows = _rows(df)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if dialect == "excel-sv" else ",", lineterminator="\r\n")
    writer.writerow([neutralise_formula(h) for h in header])
    for row in rows:
        writer.writerow([_csv_text(v, dialect) for v in row])
    return buffer.getvalue().encode("utf-8-sig" if dialect == "excel-sv" else "utf-8")


def xlsx_bytes(df: pd.DataFrame, sheet_title: str = "Data") -> bytes:
    """The table as an xlsx workbook: bold frozen header, text kept as text, ISO date formats."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    header, rows = _rows(df)
    workbook = Workbook()
    ws = workbook.active
    ws.title = "".join("_" if ch in "[]:*?/\\" else ch for ch in sheet_title)[:31] or "Data"
    bold = Font(bold=True)
    widths = [len(h) for h in header]

    def text_cell(value: str) -> str:
        return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value))

    for c, name in enumerate(header, 1):
        cell = ws.cell(row=1, column=c, value=text_cell(name))
        cell.data_type = "s"
        cell.font = bold
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(row, 1):
            if isinstance(value, str):
                cell = ws.cell(row=r, column=c, value=text_cell(value))
                cell.data_type = "s"  # never a formula, whatever it starts with
                cell.number_format = "@"
                widths[c - 1] = max(widths[c - 1], min(len(value), 60))
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
                widths[c - 1] = max(widths[c - 1], 16)
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
                widths[c - 1] = max(widths[c - 1], 10)
            elif value is not None:
                widths[c - 1] = max(widths[c - 1], len(str(value)))
    for c, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = min(max(width, 8) + 2, 62)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def json_bytes(df: pd.DataFrame) -> bytes:
    """The table as a JSON list of records (UTF-8, å ä ö unescaped, ISO dates, null for missing)."""
    header, rows = _rows(df)
    records = [dict(zip(header, row, strict=True)) for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=2, default=_json_default).encode("utf-8")


def records_to_bytes(df: pd.DataFrame, fmt: str, *, dialect: str = "excel-sv") -> bytes:
    """The table as ``fmt`` ("csv", "xlsx" or "json") bytes, e.g. for a download button."""
    fmt = fmt.lower().lstrip(".")
    if fmt == "csv":
        return csv_bytes(df, dialect)
    if fmt == "xlsx":
        return xlsx_bytes(df)
    if fmt == "json":
        return json_bytes(df)
    raise ValidationError(
        f"exportformatet '{fmt}' finns inte; välj csv, xlsx eller json (unknown export format)"
    )


def write_records(df: pd.DataFrame, path: Path, *, dialect: str = "excel-sv") -> Path:
    """Write the table to ``path``; the extension (.csv, .xlsx, .json) picks the format."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValidationError(
            f"filändelsen '{path.suffix or '(ingen)'}' stöds inte; använd .csv, .xlsx eller .json "
            "(unsupported export extension)",
            source=str(path),
        )
    path.write_bytes(records_to_bytes(df, suffix, dialect=dialect))
    return path
