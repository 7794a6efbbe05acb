"""Paging of long lists: the database counts the matching rows and returns one slice of them.

A listing page shows a bounded page of a national table (tens of thousands of rows) with the total
count; only the rows on the page are read. Query functions build one ``Select`` and use it twice:
``row_count`` for the total and ``page_of`` for the slice.
"""

from __future__ import annotations

from typing import Any, TypeAlias, Unpack

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

# A select of any columns (Select is generic over the types of its columns).
AnySelect: TypeAlias = "Select[Unpack[tuple[Any, ...]]]"


def row_count(session: Session, stmt: AnySelect, at_most: int | None = None) -> int:
    """How many rows ``stmt`` returns, counted by the database (its ordering and slice are dropped).

    With ``at_most`` the database stops counting after ``at_most + 1`` rows: a result above ``at_most``
    means "more than ``at_most``", at a cost that does not grow with the table.
    """
    counted = stmt.order_by(None).limit(None).offset(None)
    if at_most is not None:
        counted = counted.limit(at_most + 1)
    return int(session.scalar(select(func.count()).select_from(counted.subquery())) or 0)


def page_of(stmt: AnySelect, limit: int | None, offset: int = 0) -> AnySelect:
    """``stmt`` limited to ``limit`` rows after skipping ``offset`` (``limit`` None: every row)."""
    if offset < 0:
        raise ValueError(f"offset must not be negative, got {offset}")
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt.offset(offset) if offset else stmt
