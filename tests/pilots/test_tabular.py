"""Reading Swedish CSV/xlsx files and converting rows to checked records."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pilots.errors import ValidationError
from pilots.tabular import (
    CellError,
    Column,
    RecordSpec,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_records,
    read_table,
    sniff_delimiter,
)

SITES = RecordSpec(
    kind="sites",
    title_sv="Platser",
    title_en="Sites",
    columns=(
        Column("kommunkod", "municipality_code", required=True, example="0180"),
        Column("namn", "text", required=True, example="Skellefteå", max_length=20),
        Column("start", "date", example="2024-03-01"),
        Column("andel", "decimal", example="12,5"),
        Column("antal", "int", example="3"),
        Column("aktiv", "bool", example="ja"),
        Column("typ", "choice", choices=("Skola", "Socialtjänst", "Polis"), example="Skola"),
        Column("möte", "datetime", example="2024-03-01 10:00"),
        Column("kommentar", "free_text"),
        Column("ärendenummer", "text"),
    ),
    key=("kommunkod", "namn"),
    aliases={"Kommun": "kommunkod"},
)


def problems_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(p.where, p.message) for p in excinfo.value.problems]


def xlsx_bytes(rows: list[list[object]], title: str = "Blad1") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- real-world CSV shapes ---------------------------------------------------------------------


def test_cp1252_semicolon_decimal_comma_file_reads_swedish_letters_and_numbers() -> None:
    text = (
        "Kommunkod;Namn;Start;Andel;Antal;Aktiv;Typ\r\n"
        "2482;Skellefteå;2024-03-01;12,5;1 234;ja;socialtjänst\r\n"
        "1880;Örebro;2024-11-30;0,75;7;nej;Polis\r\n"
    )
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the file really is not UTF-8
    records = parse_records(read_table(data, "platser.csv"), SITES)
    assert [r["namn"] for r in records] == ["Skellefteå", "Örebro"]
    assert records[0]["kommunkod"] == "2482"
    assert records[0]["andel"] == 12.5
    assert records[1]["andel"] == 0.75
    assert records[0]["antal"] == 1234
    assert records[0]["aktiv"] is True and records[1]["aktiv"] is False
    assert records[0]["typ"] == "Socialtjänst"  # case-insensitive match gives the canonical spelling
    assert records[1]["start"] == date(2024, 11, 30)
    assert records[0]["kommentar"] is None  # optional column absent from the file


def test_utf8_bom_file_header_is_not_polluted_by_the_bom() -> None:
    data = "\ufeffkommunkod;namn\r\n0180;Stockholm\r\n".encode()
    raw = read_table(data, "a.csv")
    assert raw.header == ("kommunkod", "namn")
    assert parse_records(raw, SITES) == [
        {**{c.name: None for c in SITES.columns}, "kommunkod": "0180", "namn": "Stockholm"}
    ]


def test_comma_separated_file_with_quoted_decimal_comma() -> None:
    data = b'kommunkod,namn,andel\n0180,"Stockholm, city","12,5"\n'
    records = parse_records(read_table(data, "a.csv"), SITES)
    assert records[0]["namn"] == "Stockholm, city"
    assert records[0]["andel"] == 12.5


def test_excel_unicode_text_export_utf16_tab_separated() -> None:
    data = "kommunkod\tnamn\r\n0180\tÖrebro\r\n".encode("utf-16")
    records = parse_records(read_table(data, "export.txt"), SITES)
    assert (records[0]["kommunkod"], records[0]["namn"]) == ("0180", "Örebro")


def test_leading_zeros_are_never_lost_in_csv_text_columns() -> None:
    data = b"kommunkod;namn;\xc3\xa4rendenummer\n0180;A;007\n"
    record = parse_records(read_table(data, "a.csv"), SITES)[0]
    assert record["kommunkod"] == "0180"
    assert record["ärendenummer"] == "007"


def test_empty_rows_and_excel_trailing_empty_columns_are_skipped_keeping_row_numbers() -> None:
    data = b"kommunkod;namn;;;\n0180;A;;;\n;;;;\n\n0181;;;;\n"
    raw = read_table(data, "a.csv")
    assert raw.header == ("kommunkod", "namn")
    assert [r.number for r in raw.rows] == [2, 5]
    with pytest.raises(ValidationError) as excinfo:
        parse_records(raw, SITES)
    assert problems_of(excinfo) == [
        ("a.csv, rad 5, kolumn namn", "värde saknas; kolumnen är obligatorisk (required value missing)")
    ]


def test_value_under_a_blank_header_is_reported_by_column_letter() -> None:
    data = b"kommunkod;namn\n0180;A;oops\n"
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(data, "a.csv"), SITES)
    assert [w for w, _ in problems_of(excinfo)] == ["a.csv, rad 2, kolumn C"]


def test_headers_match_ignoring_case_accents_spacing_and_aliases() -> None:
    data = "KOMMUN;Namn;Mote;ÄRENDE NUMMER\n0180;A;2024-03-01 10:00;K-1\n".encode()
    record = parse_records(read_table(data, "a.csv"), SITES)[0]
    assert record["kommunkod"] == "0180"
    assert record["möte"] == datetime(2024, 3, 1, 10, 0)
    assert record["ärendenummer"] == "K-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a;b;c\n1,5;2;3\n", ";"), ("a,b,c\n1,2,3\n", ","), ("a\tb\n1\t2\n", "\t"), ("a|b\n1|2\n", "|")],
)
def test_sniff_delimiter(text: str, expected: str) -> None:
    assert sniff_delimiter(text) == expected


def test_excel_sep_hint_line_is_honoured() -> None:
    raw = read_table(b"sep=,\nkommunkod,namn\n0180,A;B\n", "a.csv")
    assert raw.header == ("kommunkod", "namn")
    assert raw.rows[0].cells == ("0180", "A;B")
    assert raw.rows[0].number == 2


# --- xlsx -------------------------------------------------------------------------------------


def test_xlsx_real_date_cells_and_numeric_municipality_code() -> None:
    data = xlsx_bytes(
        [
            ["Kommunkod", "Namn", "Start", "Möte", "Andel", "Antal", "Aktiv", "Ärendenummer"],
            [180, "Stockholm", datetime(2024, 3, 1), datetime(2024, 3, 1, 10, 30), 12.5, 3, True, 180],
            ["2482", "Skellefteå", date(2024, 4, 2), date(2024, 4, 2), 1, 4.0, "x", "0180"],
        ]
    )
    records = parse_records(read_table(data, "platser.xlsx"), SITES)
    first, second = records
    assert first["kommunkod"] == "0180"  # padded: the column kind is municipality_code
    assert first["ärendenummer"] == "180"  # not padded: plain text column, number shown without '.0'
    assert first["start"] == date(2024, 3, 1)
    assert first["möte"] == datetime(2024, 3, 1, 10, 30)
    assert first["andel"] == 12.5 and first["antal"] == 3 and first["aktiv"] is True
    assert second["kommunkod"] == "2482"
    assert second["start"] == date(2024, 4, 2)
    assert second["möte"] == datetime(2024, 4, 2, 0, 0)
    assert second["antal"] == 4
    assert second["ärendenummer"] == "0180"


def test_xlsx_datetime_with_time_in_a_date_column_is_refused() -> None:
    data = xlsx_bytes([["kommunkod", "namn", "start"], ["0180", "A", datetime(2024, 3, 1, 9, 15)]])
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(data, "a.xlsx"), SITES)
    assert problems_of(excinfo)[0][0] == "a.xlsx, rad 2, kolumn start"
    assert "2024-03-01 09:15" in problems_of(excinfo)[0][1]


def test_xlsx_row_numbers_match_the_spreadsheet_including_gaps() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "kommunkod", "namn"
    ws["A2"], ws["B2"] = "0180", "A"
    ws["A7"], ws["B7"] = "0180", "A"
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(buffer.getvalue(), "a.xlsx"), SITES)
    assert problems_of(excinfo)[0][0] == "a.xlsx, rad 7"
    assert "rad 2" in problems_of(excinfo)[0][1]


def test_xlsx_sheet_selection_and_missing_sheet_lists_the_sheets() -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Först"
    other = wb.create_sheet("Platser")
    other.append(["kommunkod", "namn"])
    other.append(["0180", "B"])
    buffer = io.BytesIO()
    wb.save(buffer)
    raw = read_table(buffer.getvalue(), "a.xlsx", sheet="Platser")
    assert raw.rows[0].cells == ("0180", "B")
    with pytest.raises(ValidationError, match="'Först', 'Platser'"):
        read_table(buffer.getvalue(), "a.xlsx", sheet="Saknas")


def test_read_table_accepts_a_path(tmp_path: Path) -> None:
    path = tmp_path / "Platser.CSV"
    path.write_bytes(b"kommunkod;namn\n0180;A\n")
    raw = read_table(path)
    assert raw.filename == "Platser.CSV"
    assert raw.rows[0].cells == ("0180", "A")


# --- refusing files ---------------------------------------------------------------------------


def test_unknown_extension_names_file_and_accepted_formats() -> None:
    with pytest.raises(ValidationError) as excinfo:
        read_table(b"a;b\n", "data.pdf")
    where, message = problems_of(excinfo)[0]
    assert where == "data.pdf"
    assert ".csv" in message and ".xlsx" in message


def test_old_xls_gets_a_save_as_hint() -> None:
    with pytest.raises(ValidationError, match="Spara filen som .xlsx"):
        read_table(b"\xd0\xcf\x11\xe0", "gammal.xls")


def test_xlsx_name_with_non_zip_content_is_refused() -> None:
    with pytest.raises(ValidationError, match="inte en Excel-arbetsbok"):
        read_table(b"kommunkod;namn\n0180;A\n", "fake.xlsx")


def test_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ValidationError, match="inte en Excel-arbetsbok"):
        read_table(buffer.getvalue(), "doc.xlsx")


def test_workbook_renamed_to_csv_is_refused_with_a_hint() -> None:
    with pytest.raises(ValidationError, match="döp om den till .xlsx"):
        read_table(xlsx_bytes([["a"]]), "platser.csv")


def test_binary_content_in_csv_is_refused() -> None:
    with pytest.raises(ValidationError, match="inte en textfil"):
        read_table(b"\x00\x01\x02binary", "a.csv")


def test_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError, match="tom"):
        read_table(b"\r\n;;\r\n", "a.csv")


def test_size_limit_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WORKBENCH_MAX_UPLOAD_MB", "0.001")  # 1048 bytes
    small = b"kommunkod;namn\n0180;A\n"
    assert read_table(small, "a.csv").rows
    big = small + b"0181;B\n" * 200
    with pytest.raises(ValidationError, match="största tillåtna storlek"):
        read_table(big, "a.csv")
    path = tmp_path / "big.csv"
    path.write_bytes(big)
    with pytest.raises(ValidationError, match="största tillåtna storlek"):
        read_table(path)


# --- problems ---------------------------------------------------------------------------------


def test_all_problems_are_listed_at_once_with_row_and_column() -> None:
    data = (
        "kommunkod;namn;start;andel;aktiv;typ;färg\n"
        "0180;A;1 mars;12,5;ja;Skola;röd\n"
        "18;B;2024-02-30;tolv;kanske;Brandkår;blå\n"
        ";C;;;;;\n"
    ).encode()
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(data, "platser.csv"), SITES)
    got = problems_of(excinfo)
    assert [w for w, _ in got] == [
        "platser.csv, rubrikrad",
        "platser.csv, rad 2, kolumn start",
        "platser.csv, rad 3, kolumn kommunkod",
        "platser.csv, rad 3, kolumn start",
        "platser.csv, rad 3, kolumn andel",
        "platser.csv, rad 3, kolumn aktiv",
        "platser.csv, rad 3, kolumn typ",
        "platser.csv, rad 4, kolumn kommunkod",
    ]
    messages = dict(got[1:2])
    assert messages["platser.csv, rad 2, kolumn start"] == (
        "förväntade ett datum som 2024-03-01, fick '1 mars' (expected a date YYYY-MM-DD)"
    )
    assert "okänd kolumn 'färg'" in got[0][1]
    assert "'2024-02-30' är inget giltigt datum" in got[3][1]
    assert "'tolv'" in got[4][1]
    assert "'Skola', 'Socialtjänst', 'Polis'" in got[6][1]  # allowed values are listed
    assert "obligatorisk" in got[7][1]
    assert excinfo.value.source == "platser.csv"
    assert "8 problems" in str(excinfo.value)


def test_missing_required_column_is_reported_once_not_per_row() -> None:
    data = b"kommunkod;start\n0180;2024-03-01\n0181;2024-03-02\n"
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(data, "a.csv"), SITES)
    assert problems_of(excinfo) == [
        ("a.csv, rubrikrad", "obligatorisk kolumn 'namn' saknas (required column missing)")
    ]


def test_column_given_twice_is_refused() -> None:
    data = b"kommunkod;Kommun;namn\n0180;0180;A\n"
    with pytest.raises(ValidationError, match="finns två gånger"):
        parse_records(read_table(data, "a.csv"), SITES)


def test_duplicate_keys_name_both_rows_ignoring_case() -> None:
    data = "kommunkod;namn\n0180;Skellefteå\n0181;Skellefteå\n0180;SKELLEFTEÅ\n".encode()
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(data, "a.csv"), SITES)
    ((where, message),) = problems_of(excinfo)
    assert where == "a.csv, rad 4"
    assert "som rad 2" in message
    assert "kommunkod = '0180'" in message


def test_over_long_text_is_refused_with_the_limit() -> None:
    data = ("kommunkod;namn\n0180;" + "x" * 21 + "\n").encode()
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(data, "a.csv"), SITES)
    ((where, message),) = problems_of(excinfo)
    assert where == "a.csv, rad 2, kolumn namn"
    assert "21 tecken" in message and "högst 20" in message


def test_free_text_default_limit_is_2000_and_text_200() -> None:
    assert Column("a", "free_text").max_length == 2000
    assert Column("a", "text").max_length == 200
    assert Column("a", "int").max_length is None


def test_personal_identity_number_is_refused_naming_row_and_column() -> None:
    data = (
        "kommunkod;namn;kommentar;ärendenummer\n"
        "0180;A;möte 2024-03-01, ring 070-123 45 67;2024-03-01\n"
        "0181;B;gäller 19811218-9876;\n"
    ).encode()
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(data, "a.csv"), SITES)
    ((where, message),) = problems_of(excinfo)
    assert where == "a.csv, rad 3, kolumn kommentar"
    assert "personnummer" in message


def test_choices_override_replaces_the_allowed_values() -> None:
    data = b"kommunkod;namn;typ\n0180;A;Fritid\n"
    records = parse_records(read_table(data, "a.csv"), SITES, choices_override={"typ": ["Fritid"]})
    assert records[0]["typ"] == "Fritid"
    with pytest.raises(ValidationError, match="'Fritid'"):
        parse_records(
            read_table(b"kommunkod;namn;typ\n0180;A;Skola\n", "a.csv"),
            SITES,
            choices_override={"typ": ["Fritid"]},
        )


def test_header_only_file_gives_no_records() -> None:
    assert parse_records(read_table(b"kommunkod;namn\n", "a.csv"), SITES) == []


def test_spec_refuses_unknown_kind_and_bad_key() -> None:
    with pytest.raises(ValueError):
        Column("a", "money")
    with pytest.raises(ValueError):
        RecordSpec("x", "X", "X", (Column("a"),), key=("b",))


# --- helpers for forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        (" 2024-3-1 ", date(2024, 3, 1)),
        ("2024-03-01 00:00", date(2024, 3, 1)),
        (datetime(2024, 3, 1), date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_accepts_iso_and_excel_dates(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["1/3/2024", "01.03.2024", "1 mars 2024", "20240301", "2024-13-01", 45352])
def test_parse_date_refuses_other_forms_naming_the_expected_one(value: object) -> None:
    with pytest.raises(CellError, match="2024-03-01"):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-01 10:00", datetime(2024, 3, 1, 10, 0)),
        ("2024-03-01 10:00:30", datetime(2024, 3, 1, 10, 0, 30)),
        ("2024-03-01T10:00", datetime(2024, 3, 1, 10, 0)),
        ("2024-03-01", datetime(2024, 3, 1, 0, 0)),
        (date(2024, 3, 1), datetime(2024, 3, 1)),
    ],
)
def test_parse_datetime(value: object, expected: datetime) -> None:
    assert parse_datetime(value) == expected


@pytest.mark.parametrize("value", ["2024-03-01 25:00", "10:00", "2024-03-01 10", "1/3/2024 10:00"])
def test_parse_datetime_refuses(value: str) -> None:
    with pytest.raises(CellError, match="2024-03-01"):
        parse_datetime(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("1 234", 1234.0),
        ("1\u00a0234,5", 1234.5),
        ("1\u202f234\u202f567", 1234567.0),
        ("-0,25", -0.25),
        ("\u22123,5", -3.5),
        (",5", 0.5),
        (7, 7.0),
        (2.25, 2.25),
        ("", None),
    ],
)
def test_parse_decimal(value: object, expected: float | None) -> None:
    assert parse_decimal(value) == expected


@pytest.mark.parametrize("value", ["1.234,5", "12 5", "1 23", "abc", "1e5", "nan", "inf", float("nan"), True])
def test_parse_decimal_refuses(value: object) -> None:
    with pytest.raises(CellError):
        parse_decimal(value)


def test_parse_int() -> None:
    assert parse_int("1 234") == 1234
    assert parse_int("12,0") == 12
    assert parse_int(4.0) == 4
    with pytest.raises(CellError, match="heltal"):
        parse_int("12,5")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ja", True),
        ("Nej", False),
        ("YES", True),
        ("no", False),
        ("1", True),
        ("0", False),
        ("x", True),
        ("X", True),
        (True, True),
        (0, False),
        ("", None),
    ],
)
def test_parse_bool(value: object, expected: bool | None) -> None:
    assert parse_bool(value) is expected


def test_parse_bool_refuses_other_words() -> None:
    with pytest.raises(CellError, match="ja eller nej"):
        parse_bool("kanske")


def test_a_file_full_of_errors_lists_the_first_500_and_counts_the_rest() -> None:
    data = ("kommunkod;namn;start\n" + "".join(f"0180;P{i};fel\n" for i in range(600))).encode()
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(data, "a.csv"), SITES)
    got = problems_of(excinfo)
    assert len(got) == 501
    assert got[0][0] == "a.csv, rad 2, kolumn start"
    assert got[-1] == ("", "… och 100 problem till (and 100 more problems)")


def test_column_level_aliases_are_accepted() -> None:
    spec = RecordSpec(
        "x", "X", "X", (Column("municipality_code", "municipality_code", aliases=("Kommunkod",)),)
    )
    assert parse_records(read_table(b"KOMMUNKOD\n180\n", "a.csv"), spec) == [{"municipality_code": "0180"}]


def test_a_repeated_cell_is_checked_again_on_every_row_it_stands_on() -> None:
    # Each distinct text of a column is converted and checked once; its problems still belong to every row.
    from pilots.errors import PersonalDataError
    from pilots.privacy import check_text

    with pytest.raises(PersonalDataError) as refused:
        check_text("gäller 19811218-9876", "x")
    personal = refused.value.problems[0].message
    with pytest.raises(CellError) as bad_date:
        parse_date("fel")
    with pytest.raises(CellError) as bad_bool:
        parse_bool("kanske")
    required = "värde saknas; kolumnen är obligatorisk (required value missing)"
    data = (
        "kommunkod;Namn;start;kommentar;aktiv\n"
        "0180;A;fel;gäller 19811218-9876;ja\n"
        "0181;;2024-03-01;gäller 19811218-9876;ja\n"
        "\n"
        "0182;C;fel;inget nummer;\n"
        "0183;;fel;gäller 19811218-9876;kanske\n"
        "0184;E;2024-03-01;inget nummer;kanske\n"
    ).encode()
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(data, "a.csv"), SITES)
    assert problems_of(excinfo) == [
        ("a.csv, rad 2, kolumn start", str(bad_date.value)),
        ("a.csv, rad 2, kolumn kommentar", personal),
        ("a.csv, rad 3, kolumn Namn", required),
        ("a.csv, rad 3, kolumn kommentar", personal),
        ("a.csv, rad 5, kolumn start", str(bad_date.value)),
        ("a.csv, rad 6, kolumn Namn", required),
        ("a.csv, rad 6, kolumn start", str(bad_date.value)),
        ("a.csv, rad 6, kolumn aktiv", str(bad_bool.value)),  # the spec's column order
        ("a.csv, rad 6, kolumn kommentar", personal),
        ("a.csv, rad 7, kolumn aktiv", str(bad_bool.value)),
    ]


def test_repeated_cells_give_equal_records_and_excel_values_are_not_confused() -> None:
    data = b"kommunkod;namn;start;kommentar\n0180;A;2024-03-01;Samma text\n0181;B;2024-03-01;Samma text\n"
    first, second = parse_records(read_table(data, "a.csv"), SITES)
    assert (first["start"], first["kommentar"]) == (second["start"], second["kommentar"])
    assert first["start"] == date(2024, 3, 1) and second["kommentar"] == "Samma text"
    # 1, 1.0 and True are one dict key; an int column takes 1 and refuses True, a bool column takes both.
    rows = [["kommunkod", "namn", "antal", "aktiv"], ["0180", "A", 1, 1], ["0181", "B", True, True],
            ["0182", "C", 1.0, 0]]
    with pytest.raises(ValidationError) as excinfo:
        parse_records(read_table(xlsx_bytes(rows), "a.xlsx"), SITES)
    assert [where for where, _ in problems_of(excinfo)] == ["a.xlsx, rad 3, kolumn antal"]
    rows[2][2] = 2
    records = parse_records(read_table(xlsx_bytes(rows), "a.xlsx"), SITES)
    assert [(r["antal"], r["aktiv"]) for r in records] == [(1, True), (2, True), (1, False)]
