"""Diffs between instrument versions and which items may be compared across them."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from instruments.revisions import change_across_versions, comparable_items, diff_versions
from instruments.schema import Instrument, parse_definition
from pilots.errors import ValidationError

from .instruments_testkit import build_answers

SMALL = (Path(__file__).parent / "data" / "small.yaml").read_text(encoding="utf-8")


def _old() -> Instrument:
    return parse_definition(SMALL)


def _new() -> Instrument:
    """1.1.0: a's text reworded (undeclared), b removed, c renamed c2 and declared equivalent, d added."""
    doc = yaml.safe_load(SMALL)
    doc["version"] = "1.1.0"
    part1, part2 = doc["sections"][0]["items"], doc["sections"][1]["items"]
    part1[0]["text"] = {"sv": "Ny text a", "en": "New text a"}
    del part1[1]
    part1.append({"id": "d", "label": {"sv": "D", "en": "D"}, "text": {"sv": "Text d", "en": "Text d"},
                  "scale": "JDN", "success_factor": "struktur"})  # fmt: skip
    part2[0].update({"id": "c2", "label": {"sv": "C nytt", "en": "C new"},
                     "equivalent_to": {"version": "1.0.0", "item": "c"}})  # fmt: skip
    doc["scoring"]["factors"][0]["items"] = ["a", "d"]
    doc["scoring"]["indicators"][0]["items"] = ["a", "d"]
    return parse_definition(yaml.safe_dump(doc, allow_unicode=True))


def test_diff_lists_added_removed_changed_and_replaced_items() -> None:
    diff = diff_versions(_old(), _new())

    def key(r: dict) -> tuple:
        return tuple(None if pd.isna(r[c]) else r[c] for c in ("change", "item_id", "old_item_id"))

    rows = {key(r): r for r in diff.to_dict("records")}
    assert set(rows) == {
        ("text_changed", "a", "a"),  # sv
        ("added", "d", None),
        ("replaced", "c2", "c"),
        ("label_changed", "c2", "c"),
        ("removed", None, "b"),
    }
    assert len(diff) == 7  # text and label changes are listed per language (a: sv+en, c2: sv+en)
    assert not rows[("text_changed", "a", "a")]["comparable"]
    assert rows[("replaced", "c2", "c")]["comparable"]
    assert "Ny text a" in " ".join(diff["detail"])


def test_only_unchanged_or_declared_items_are_comparable() -> None:
    assert comparable_items(_old(), _new()) == [("c", "c2")]
    assert comparable_items(_old(), _old()) == [("a", "a"), ("b", "b"), ("c", "c")]


def test_a_changed_scale_breaks_comparability() -> None:
    doc = yaml.safe_load(SMALL)
    doc["version"] = "1.0.1"
    doc["scales"][0]["values"][1]["sv"] = "Till viss del"
    new = parse_definition(yaml.safe_dump(doc, allow_unicode=True))
    diff = diff_versions(_old(), new)
    assert list(diff["change"]) == ["scale_changed", "scale_changed"]
    assert list(diff["item_id"]) == ["a", "b"]
    assert "1=Till viss del" in diff["detail"].iloc[0]
    assert comparable_items(_old(), new) == [("c", "c")]


def test_equivalence_across_different_scales_is_refused() -> None:
    doc = yaml.safe_load(SMALL)
    doc["version"] = "2.0.0"
    doc["sections"][1]["items"][0].update(
        {"id": "c2", "scale": "JDN", "equivalent_to": [{"version": "1.0.0", "item": "c"}]}
    )
    new = parse_definition(yaml.safe_dump(doc, allow_unicode=True))
    with pytest.raises(ValidationError, match="scales differ"):
        comparable_items(_old(), new)


def test_change_across_versions_uses_comparable_items_only() -> None:
    old_answers = build_answers([("r", "a", 1), ("r", "b", 2), ("r", "c", 1)])
    new_answers = build_answers([("r", "a", 2), ("r", "d", 2), ("r", "c2", 3)])
    table = change_across_versions(_old(), _new(), old_answers, new_answers)
    assert list(zip(table["old_item_id"], table["item_id"], table["change"], strict=True)) == [
        ("c", "c2", 2.0)
    ]
    vet_ej = build_answers([("r", "c2", "vet ej")])
    again = change_across_versions(_old(), _new(), old_answers, vet_ej)
    assert math.isnan(again["change"].iloc[0]) and again["n_dont_know_b"].iloc[0] == 1
