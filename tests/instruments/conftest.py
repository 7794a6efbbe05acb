"""Shared builders for instrument tests: a small valid definition and answer frames."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

SMALL_PATH = Path(__file__).parent / "data" / "small.yaml"


def build_answers(rows: list[tuple[str, str, object]]) -> pd.DataFrame:
    """Build an answers frame from (respondent, item_id, value-or-"vet ej") triples."""
    out = []
    for resp, item, v in rows:
        dk = v == "vet ej"
        out.append({"respondent": resp, "item_id": item, "value": None if dk else v, "dont_know": dk})
    return pd.DataFrame(out, columns=["respondent", "item_id", "value", "dont_know"])


@pytest.fixture
def small_text() -> str:
    return SMALL_PATH.read_text(encoding="utf-8")


@pytest.fixture
def make_answers() -> Callable[[list[tuple[str, str, object]]], pd.DataFrame]:
    return build_answers
