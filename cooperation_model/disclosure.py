"""Small-count disclosure control for tables that leave the workbench (exports, reports, shared files).

The rule (documented for users in docs/disclosure.md):

* **Primary suppression**: a count with ``0 < count < threshold`` is replaced by a marker
  (default ``".."``). Zeros are shown by default (``suppress_zero=False``): a zero says that
  nothing happened, not who it happened to; set ``suppress_zero=True`` when even absence is
  sensitive.
* **Secondary (complementary) suppression**: every published total gives an equation
  ``total = sum(cells)``. When exactly one value of such an equation is hidden it could be worked
  out by subtraction, so one more value is hidden: the smallest non-zero cell still shown in that
  row or column (a zero only if nothing else is left, the total itself as a last resort). This is
  repeated until no equation has exactly one hidden value.
* **Shares** (percentages) computed from a hidden count are hidden too.

The threshold is 5 unless an argument or the environment variable
``WORKBENCH_SMALL_COUNT_THRESHOLD`` says otherwise. The procedure is a greedy heuristic for one
two-way table with its margins; it is not a linear-programming audit across several linked tables.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from pilots.errors import Problem, ValidationError

DEFAULT_THRESHOLD = 5
THRESHOLD_ENV = "WORKBENCH_SMALL_COUNT_THRESHOLD"
DEFAULT_MARKER = ".."

Cell = tuple[Hashable, str]
"""(index label, column name) of one table cell."""


def resolve_threshold(threshold: int | None = None) -> int:
    """Return the threshold to use: the argument, else ``$WORKBENCH_SMALL_COUNT_THRESHOLD``, else 5."""
    if threshold is not None:
        value: object = threshold
        where = "threshold"
    else:
        raw = os.environ.get(THRESHOLD_ENV, "").strip()
        if not raw:
            return DEFAULT_THRESHOLD
        where = f"miljövariabeln {THRESHOLD_ENV}"
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError(
                Problem(where, f"{raw!r} är inget heltal; ange t.ex. 5 (expected a whole number such as 5)")
            ) from None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            Problem(
                where,
                f"{value!r} är ogiltigt; gränsen ska vara ett heltal ≥ 1 "
                "(threshold must be a whole number ≥ 1)",
            )
        )
    return value


def rule_text(threshold: int | None = None, lang: str = "sv", marker: str = DEFAULT_MARKER) -> str:
    """One sentence stating the small-count rule, to print with every export."""
    t = resolve_threshold(threshold)
    if lang == "en":
        return (
            f"Counts below {t} are not shown ({marker}), nor are values that could be worked out from totals."
        )
    return (
        f"Antal under {t} visas inte ({marker}), inte heller värden som skulle kunna räknas fram ur summor."
    )


@dataclass
class SuppressionReport:
    """What was hidden and why; ``rule_text`` is the sentence to print with the table."""

    threshold: int
    marker: str
    primary: list[Cell] = field(default_factory=list)
    secondary: list[Cell] = field(default_factory=list)
    shares: list[Cell] = field(default_factory=list)
    unprotected: list[str] = field(default_factory=list)

    @property
    def suppressed(self) -> list[Cell]:
        """Every hidden count cell, primary first."""
        return self.primary + self.secondary

    @property
    def any_suppressed(self) -> bool:
        return bool(self.primary or self.secondary or self.shares)

    def rule_text(self, lang: str = "sv") -> str:
        return rule_text(self.threshold, lang, self.marker)


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _validate(
    df: pd.DataFrame, count_cols: Sequence[str], row_total: str | None, column_total: Hashable | None
) -> list[Problem]:
    problems: list[Problem] = []
    if not df.index.is_unique:
        problems.append(Problem("index", "radetiketterna måste vara unika (row labels must be unique)"))
    columns = list(count_cols) + ([row_total] if row_total is not None else [])
    for col in columns:
        if col not in df.columns:
            problems.append(
                Problem(f"kolumn {col!r}", f"finns inte; tabellen har {list(df.columns)} (column not found)")
            )
            continue
        for label, value in df[col].items():
            if _is_missing(value):
                continue
            ok = (
                isinstance(value, numbers.Real)
                and not isinstance(value, bool)
                and type(value).__name__ != "bool_"
                and float(value) >= 0
                and float(value).is_integer()
            )
            if not ok:
                problems.append(
                    Problem(
                        f"rad {label!r}, kolumn {col!r}",
                        f"{value!r} är inget antal (expected a whole number ≥ 0)",
                    )
                )
    if column_total is not None and column_total not in df.index:
        problems.append(
            Problem("totals['column']", f"raden {column_total!r} finns inte i tabellen (total row not found)")
        )
    return problems


def _to_number(value: object) -> float | None:
    if _is_missing(value):
        return None
    return float(value)  # type: ignore[arg-type]


def suppress_small_counts(
    df: pd.DataFrame,
    count_cols: Sequence[str],
    threshold: int | None = None,
    totals: Mapping[str, object] | None = None,
    *,
    share_cols: Mapping[str, str | Sequence[str]] | None = None,
    marker: str = DEFAULT_MARKER,
    suppress_zero: bool = False,
) -> tuple[pd.DataFrame, SuppressionReport]:
    """Hide small counts (and what would reveal them) in a table; return the table and a report.

    ``df`` is a table whose rows are categories (index labels identify rows) and whose
    ``count_cols`` hold counts. ``totals`` says which sums a reader can know:

    * ``totals["row"]``: the name of a column holding row totals, ``True`` when row sums are
      published elsewhere (or can be added up by the reader), ``False`` when they are not;
    * ``totals["column"]``: the index label of a row holding column totals, or ``True``/``False``
      as above.

    A missing key (or ``totals=None``) counts as ``True``: assume a sum is known unless told
    otherwise. Total cells in the table are counts too and follow the same rule.
    ``share_cols`` maps a share column to the count column(s) it was computed from; the share
    is hidden when any of them is hidden. Hidden cells become ``marker`` (count and share columns
    turn to object dtype).

    Example: with threshold 5, a row ``10, 3, 8`` with total 21 publishes ``10, .., ..``
    and 21 (the 3 is primary, the 8 the smallest complement).
    """
    t = resolve_threshold(threshold)
    totals = dict(totals or {})
    unknown = set(totals) - {"row", "column"}
    row_spec = totals.get("row", True)
    col_spec = totals.get("column", True)
    row_total = row_spec if isinstance(row_spec, str) else None
    column_total = None if isinstance(col_spec, bool) else col_spec
    problems = _validate(df, count_cols, row_total, column_total)
    if unknown:
        problems.append(
            Problem("totals", f"okända nycklar {sorted(unknown)}; tillåtna är 'row' och 'column'")
        )
    for share, sources in (share_cols or {}).items():
        src = [sources] if isinstance(sources, str) else list(sources)
        if share not in df.columns:
            problems.append(
                Problem(f"share_cols[{share!r}]", "andelskolumnen finns inte (share column not found)")
            )
        for s in src:
            if s not in df.columns:
                problems.append(
                    Problem(
                        f"share_cols[{share!r}]", f"källkolumnen {s!r} finns inte (source column not found)"
                    )
                )
    if problems:
        raise ValidationError(problems, source="småtalsskydd")

    report = SuppressionReport(threshold=t, marker=marker)
    count_cols = list(count_cols)
    value_cols = count_cols + ([row_total] if row_total is not None else [])
    body_rows = [r for r in df.index if r != column_total]
    values: dict[Cell, float | None] = {(r, c): _to_number(df.at[r, c]) for r in df.index for c in value_cols}
    hidden: set[Cell] = set()

    for cell, v in values.items():
        if v is None:
            continue
        if 0 < v < t or (suppress_zero and v == 0):
            hidden.add(cell)
            report.primary.append(cell)

    # Equations total = sum(members); total is None when it is known outside the table.
    equations: list[tuple[Cell | None, list[Cell], str]] = []
    if row_spec is not False:
        for r in df.index:
            members = [(r, c) for c in count_cols]
            total_cell = (r, row_total) if row_total is not None else None
            if total_cell is None and (len(members) < 2 or r == column_total):
                continue  # the "row total" would be the cell itself, or the grand total covered below
            equations.append((total_cell, members, f"rad {r!r}"))
    if col_spec is not False:
        for c in value_cols:
            members = [(r, c) for r in body_rows]
            total_cell = (column_total, c) if column_total is not None else None
            if total_cell is None and len(members) < 2:
                continue
            equations.append((total_cell, members, f"kolumn {c!r}"))

    def unknown_in(total_cell: Cell | None, members: list[Cell]) -> int:
        cells = members + ([total_cell] if total_cell is not None else [])
        return sum(1 for c in cells if c in hidden or values[c] is None)

    changed = True
    while changed:
        changed = False
        for total_cell, members, where in equations:
            if total_cell is not None and values[total_cell] is None:
                continue  # the total is not published, nothing to subtract from
            if unknown_in(total_cell, members) != 1:
                continue
            shown = [m for m in members if m not in hidden and values[m] is not None]
            nonzero = [m for m in shown if (values[m] or 0) > 0]
            pool = nonzero or shown
            if pool:
                pick = min(pool, key=lambda m: (values[m], str(m[0]), str(m[1])))
            elif total_cell is not None and total_cell not in hidden:
                pick = total_cell
            else:
                report.unprotected.append(where)
                continue
            hidden.add(pick)
            report.secondary.append(pick)
            changed = True

    out = df.copy()
    for col in value_cols:
        out[col] = out[col].astype(object)
    for r, c in hidden:
        out.at[r, c] = marker
    for share, sources in (share_cols or {}).items():
        src = [sources] if isinstance(sources, str) else list(sources)
        out[share] = out[share].astype(object)
        for r in df.index:
            if any((r, s) in hidden for s in src):
                out.at[r, share] = marker
                report.shares.append((r, share))
    return out, report
