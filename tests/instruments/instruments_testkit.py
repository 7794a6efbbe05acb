"""Helpers for instrument tests (a uniquely named module, importable from the test files)."""

from __future__ import annotations

import pandas as pd


def build_answers(rows: list[tuple[str, str, object]]) -> pd.DataFrame:
    """Build an answers frame from (respondent, item_id, value-or-"vet ej") triples."""
    out = []
    for resp, item, v in rows:
        dk = v == "vet ej"
        out.append({"respondent": resp, "item_id": item, "value": None if dk else v, "dont_know": dk})
    return pd.DataFrame(out, columns=["respondent", "item_id", "value", "dont_know"])
