"""Paging helpers: the database counts the rows of a query and returns one slice of them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pilots.models import Municipality
from pilots.municipalities import sync_municipalities
from pilots.paging import page_of, row_count


def test_count_ignores_order_and_slice_and_pages_tile_the_rows(session) -> None:
    sync_municipalities(session)
    stmt = select(Municipality.code).order_by(Municipality.code)
    every = list(session.scalars(stmt))
    assert row_count(session, stmt) == len(every) == 290
    assert row_count(session, stmt.limit(5).offset(3)) == 290
    assert row_count(session, stmt.where(Municipality.code.like("24%"))) == len(
        [c for c in every if c.startswith("24")]
    )
    pages = [list(session.scalars(page_of(stmt, 100, offset))) for offset in (0, 100, 200, 300)]
    assert [len(p) for p in pages] == [100, 100, 90, 0]
    assert [c for p in pages for c in p] == every
    assert list(session.scalars(page_of(stmt, None))) == every


def test_a_negative_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        page_of(select(Municipality.code), 10, -1)
