"""Fuzzing: random and hostile files through every registered importer, random text through the instrument parser.

The only outcomes allowed are success or a ValidationError/WorkbenchError; on error nothing has been
written (every table's row count is unchanged inside the same transaction, before any rollback).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from pilots import db
from pilots.access import SYSTEM_USER
from pilots.errors import ValidationError, WorkbenchError
from pilots.importing import run_import
from pilots.maintenance import prepare_database
from pilots.models import AuditEvent, Base
from pilots.sites import add_site, create_pilot
from workbench.importers import available_kinds, importer_for

KINDS = available_kinds()
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

HOSTILE = [
    "",
    " ",
    "trygg",
    "TRYGG",
    "okänd-pilot",
    "2482",
    "1880",
    "0180",
    "9999",
    "248",
    "24820",
    "abc",
    "2025-03-01",
    "2025-02-30",
    "1899-01-01",
    "2999-12-31",
    "01/03/2025",
    "2025-03-01 10:00",
    "observation",
    "beslut",
    "Styrgrupp",
    "ja",
    "nej",
    "1",
    "0",
    "-1",
    "1e309",
    "NaN",
    "12,5",
    "=cmd|' /C calc'!A0",
    "+SUM(A1)",
    "-2+3",
    "@IMPORT",
    "'; DROP TABLE site; --",
    "<script>x</script>",
    "811218-9876",
    "Ärende-19811218-9876",
    "å ä ö Å Ä Ö",
    "\u202etext",
    "\x00",
    "\t",
    "\r\n",
    '"',
    ";",
    "x" * 5000,
    "struktur, steg",
    "a,b,,c",
    "Socialtjänst; Skola",
    "🙂",
]
CELL = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20))


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    engine = db.make_engine(f"sqlite:///{path}")
    prepare_database(engine)
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        pilot = create_pilot(
            s,
            SYSTEM_USER,
            slug="trygg",
            name="Trygg",
            purpose="",
            start_date=date(2024, 1, 1),
            end_date=date(2026, 12, 31),
        )
        add_site(s, SYSTEM_USER, pilot, "2482")
        add_site(s, SYSTEM_USER, pilot, "1880")
    yield engine
    engine.dispose()


# Reference catalogues an importer may seed on first use (idempotent, not user data).
SEEDED = {"indicator_definition"}


def _counts(session) -> dict[str, int]:
    out = {
        t.name: int(session.scalar(select(func.count()).select_from(t)))
        for t in Base.metadata.sorted_tables
        if t.name not in SEEDED | {"audit_event"}
    }
    out["audit_event"] = int(
        session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity.not_in(SEEDED)))
    )
    return out


def _import_or_refuse(engine: Engine, kind: str, data: bytes, filename: str) -> None:
    """Run one import; assert the allowed outcomes; always roll back so every example starts alike."""
    session = db.session_factory(engine)()
    session.info.update(user=SYSTEM_USER, face="import")
    try:
        before = _counts(session)
        try:
            run_import(session, SYSTEM_USER, importer_for(kind), data, filename)
        except (ValidationError, WorkbenchError) as err:
            assert str(err).strip()  # a message a user can act on
            assert _counts(session) == before, f"{kind}: rows written before the error"
    finally:
        session.rollback()
        session.close()


def _csv(header: list[str], rows: list[list[str]], sep: str) -> bytes:
    def cell(value: str) -> str:
        return (
            '"' + value.replace('"', '""') + '"' if any(c in value for c in (sep, '"', "\n", "\r")) else value
        )

    return ("\n".join(sep.join(cell(v) for v in line) for line in [header, *rows]) + "\n").encode("utf-8")


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_structured_hostile_files_give_success_or_a_clear_error(fuzz_engine: Engine, kind: str, data) -> None:
    names = [c.name for c in importer_for(kind).spec.columns]
    header = data.draw(
        st.lists(st.sampled_from([*names, "okänd", ""]), min_size=1, max_size=len(names) + 2)
        | st.just(names),
        label="header",
    )
    rows = data.draw(st.lists(st.lists(CELL, min_size=0, max_size=len(header) + 1), max_size=6), label="rows")
    sep = data.draw(st.sampled_from([";", ",", "\t"]), label="sep")
    _import_or_refuse(fuzz_engine, kind, _csv(header, rows, sep), f"{kind}.csv")


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(
    raw=st.binary(max_size=400), name=st.sampled_from(["fil.csv", "fil.xlsx", "fil.txt", "fil", "fil.CSV"])
)
def test_random_bytes_give_a_clear_error(fuzz_engine: Engine, kind: str, raw: bytes, name: str) -> None:
    _import_or_refuse(fuzz_engine, kind, raw, name)


@pytest.mark.parametrize("kind", KINDS)
def test_a_valid_template_example_row_either_imports_or_is_refused_cleanly(
    fuzz_engine: Engine, kind: str
) -> None:
    """The template's own example row (pilot 'tryggvaxt' does not exist here) must not crash either."""
    spec = importer_for(kind).spec
    body = _csv([c.name for c in spec.columns], [[str(c.example or "") for c in spec.columns]], ";")
    _import_or_refuse(fuzz_engine, kind, body, f"{kind}.csv")


# --- The instrument parser ------------------------------------------------------------------------------

SMALL = (Path(__file__).resolve().parents[1] / "instruments" / "data" / "small.yaml").read_text(
    encoding="utf-8"
)
YAML_BITS = [
    "id: x",
    "version: 1",
    "scales: []",
    "sections:",
    "  - id: a",
    "    items: {}",
    "- - -",
    ": :",
    "&a [*a]",
    "!!python/object/apply:os.system ['echo hej']",
    "{",
    "]",
    "'",
    "\t",
    "---",
    "...",
    "title: {sv: å}",
    "scale: JDN",
    "value: 1e999",
    "value: .nan",
    "- {id: a, scale: NOPE}",
]


def _parse(text: str) -> None:
    from instruments.schema import parse_definition

    try:
        parse_definition(text, source="fuzz.yaml")
    except (ValidationError, WorkbenchError) as err:
        assert str(err).strip()


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=300))
def test_instrument_parser_on_random_text(text: str) -> None:
    _parse(text)


@settings(max_examples=50, deadline=None)
@given(lines=st.lists(st.sampled_from(YAML_BITS), max_size=12))
def test_instrument_parser_on_hostile_yaml(lines: list[str]) -> None:
    _parse("\n".join(lines))


@settings(max_examples=50, deadline=None)
@given(
    cut=st.integers(min_value=0, max_value=len(SMALL)),
    junk=st.sampled_from(["", "x", ":", "\n  - ", "ö", "{"]),
    drop=st.integers(min_value=0, max_value=60),
)
def test_instrument_parser_on_damaged_valid_definitions(cut: int, junk: str, drop: int) -> None:
    _parse(SMALL[:cut] + junk + SMALL[cut + drop :])
