"""All-or-nothing imports: read a file, parse it per its RecordSpec, validate against the database, write.

Each importable kind provides an ``Importer`` (kind, spec, apply). ``apply`` checks every row against
the database first and raises one ValidationError listing every problem with file, row and column;
only then does it write. The caller's transaction makes the whole import atomic.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from sqlalchemy.orm import Session

from pilots.access import CurrentUser
from pilots.audit import record_event
from pilots.errors import WorkbenchError
from pilots.maintenance import analyze
from pilots.tabular import RecordSpec, parse_records, read_table


@dataclass(frozen=True)
class ImportRow:
    """One parsed data row and its 1-based spreadsheet row number."""

    number: int
    values: dict[str, Any]


@dataclass(frozen=True)
class ImportFile:
    """A parsed import file: every row already converted per the spec."""

    filename: str
    rows: tuple[ImportRow, ...]

    def where(self, row: ImportRow, column: str) -> str:
        """'fil.csv, rad 4, kolumn kommunkod' — the place a problem is reported at."""
        return f"{self.filename}, rad {row.number}, kolumn {column}"


@dataclass
class ImportResult:
    kind: str
    filename: str
    created: int = 0
    updated: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.filename}: {self.created} nya, {self.updated} uppdaterade ({self.kind})"
        return text + ("; " + "; ".join(self.notes) if self.notes else "")


class Importer(Protocol):
    """What an importable kind provides."""

    kind: str
    spec: RecordSpec

    def apply(self, session: Session, user: CurrentUser, data: ImportFile) -> ImportResult: ...


@dataclass(frozen=True)
class SimpleImporter:
    """An importer made of a spec, an apply function and optional database-driven drop-down choices."""

    kind: str
    spec: RecordSpec
    apply_fn: Callable[[Session, CurrentUser, ImportFile], ImportResult]
    choices_fn: Callable[[Session, CurrentUser], Mapping[str, Sequence[str]]] | None = None
    export_fn: Callable[[Session, CurrentUser], pd.DataFrame] | None = None
    tables: tuple[str, ...] = ()
    """The tables an import of this kind writes (their planner statistics are refreshed after a large
    import); empty: every table."""

    def apply(self, session: Session, user: CurrentUser, data: ImportFile) -> ImportResult:
        return self.apply_fn(session, user, data)

    def choices(self, session: Session, user: CurrentUser) -> Mapping[str, Sequence[str]]:
        return self.choices_fn(session, user) if self.choices_fn else {}

    @property
    def exportable(self) -> bool:
        """True when the kind has an export (``export`` refuses with a clear message otherwise)."""
        return self.export_fn is not None

    def export(self, session: Session, user: CurrentUser) -> pd.DataFrame:
        """The kind's records ``user`` may read, in the template's columns (so an export can be re-imported)."""
        if self.export_fn is None:
            raise WorkbenchError(f"Export av {self.kind!r} finns inte (export of this kind is not available).")
        return self.export_fn(session, user)


def read_import_file(
    source: Path | bytes, spec: RecordSpec, filename: str | None = None,
    choices_override: Mapping[str, Sequence[str]] | None = None,
) -> ImportFile:
    """Read and parse a file; raises ValidationError listing every problem found in it."""
    raw = read_table(source, filename)
    records = parse_records(raw, spec, choices_override=choices_override)
    numbers = [r.number for r in raw.rows]
    return ImportFile(raw.filename, tuple(ImportRow(n, rec) for n, rec in zip(numbers, records, strict=True)))


# An import writing at least this many records refreshes the planner statistics (``analyze``: ~0.5 s on
# SQLite and under 1 s on PostgreSQL at national scale): the listing pages' plans depend on the row counts
# and a bulk load can multiply them. Smaller imports leave the statistics as they are.
ANALYZE_AFTER_ROWS = 1000


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector paused inside the block (left as it is when already paused); ``run_import``
    pauses it while a file is parsed, checked and written, and the benchmark while it times a render.

    A national file makes millions of small objects that live until the import ends (cells, records,
    parameter tuples) and form no cycles; the collector's repeated passes over them took a fifth of the
    import. Memory is still freed by reference counting; the collector resumes when the import ends.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_import(
    session: Session, user: CurrentUser, importer: Importer, source: Path | bytes, filename: str | None = None
) -> ImportResult:
    """Parse, validate and write one file in the caller's transaction; audited as one import event.

    A large import (``ANALYZE_AFTER_ROWS`` records or more) also refreshes the planner statistics in the
    same transaction, so they include the new rows (and are rolled back with them).
    """
    with cycle_collector_paused():
        data = read_import_file(source, importer.spec, filename)
        result = importer.apply(session, user, data)
    record_event(session, "import", importer.kind, after={"file": data.filename, "rows": len(data.rows),
                                                          "created": result.created, "updated": result.updated})
    session.flush()
    if result.created + result.updated >= ANALYZE_AFTER_ROWS:
        analyze(session.connection(), getattr(importer, "tables", ()))
    return result
