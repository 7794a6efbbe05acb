"""Random bytes and random CSV text never crash the importer: records or a ValidationError."""

from __future__ import annotations

import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilots.errors import ValidationError
from pilots.tabular import Column, RecordSpec, parse_records, read_table

SPEC = RecordSpec(
    kind="fuzz",
    title_sv="Test",
    title_en="Test",
    columns=(
        Column("kod", "municipality_code", required=True),
        Column("namn", "text", required=True, max_length=30),
        Column("datum", "date"),
        Column("tid", "datetime"),
        Column("tal", "decimal"),
        Column("antal", "int"),
        Column("ok", "bool"),
        Column("typ", "choice", choices=("A", "Å", "b")),
        Column("text", "free_text"),
    ),
    key=("kod", "namn"),
)
HEADER_WORDS = [
    "kod",
    "namn",
    "datum",
    "tid",
    "tal",
    "antal",
    "ok",
    "typ",
    "text",
    "Kod",
    "NAMN",
    "okänd",
    "",
]
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "0180",
            "180",
            "2024-03-01",
            "2024-03-01 10:00",
            "12,5",
            "1 234",
            "ja",
            "x",
            "Å",
            "19811218-9876",
            "=1+1",
            '"',
            ";",
            ",",
            "\n",
            "\r\n",
            "\x00",
            "\ufeff",
        ]
    ),
)
SEPARATORS = st.sampled_from([";", ",", "\t", "|"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])


def outcome(data: bytes, filename: str) -> None:
    try:
        records = read_table(data, filename)
        result = parse_records(records, SPEC)
    except ValidationError as err:
        assert err.problems  # a refusal always says why
        return
    for record in result:
        assert set(record) == {c.name for c in SPEC.columns}
        assert record["kod"] is not None and len(record["kod"]) == 4


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), name=st.sampled_from(["f.csv", "f.txt", "f.xlsx", "f.bin", "f"]))
def test_random_bytes_give_records_or_validation_error(data: bytes, name: str) -> None:
    outcome(data, name)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(st.sampled_from(HEADER_WORDS), min_size=1, max_size=9),
    rows=st.lists(st.lists(CELL, max_size=10), max_size=6),
    sep=SEPARATORS,
    encoding=ENCODINGS,
)
def test_random_csv_text_gives_records_or_validation_error(
    header: list[str], rows: list[list[str]], sep: str, encoding: str
) -> None:
    text = "\r\n".join(sep.join(line) for line in [header, *rows])
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    outcome(data, "f.csv")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(st.sampled_from(HEADER_WORDS), min_size=1, max_size=9),
    rows=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(-(10**6), 10**6),
                st.floats(allow_nan=True, allow_infinity=True),
                st.booleans(),
                st.datetimes(),
                st.dates(),
                st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=10),
            ),
            max_size=10,
        ),
        max_size=5,
    ),
)
def test_random_xlsx_cells_give_records_or_validation_error(
    header: list[str], rows: list[list[object]]
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([v if not (isinstance(v, str) and v.startswith("=")) else "'" + v for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    outcome(buffer.getvalue(), "f.xlsx")


def _template_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["kod", "namn", "datum"])
    ws.append(["0180", "Skellefteå", "2024-03-01"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


VALID_XLSX = _template_xlsx()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(0, len(VALID_XLSX) - 1),
    junk=st.binary(min_size=1, max_size=40),
    truncate=st.booleans(),
)
def test_damaged_workbooks_give_records_or_validation_error(start: int, junk: bytes, truncate: bool) -> None:
    data = VALID_XLSX[:start] + (b"" if truncate else junk + VALID_XLSX[start + len(junk) :])
    outcome(data, "f.xlsx")
