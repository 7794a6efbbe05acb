"""Scoring on hand-worked answers: item summaries, factors, indicators, development areas, rounds."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from instruments.schema import builtin_definition, parse_definition
from instruments.scoring import (
    change_between_rounds,
    derived_indicators,
    development_areas,
    factor_profile,
    item_summary,
    overall_index,
    prepare_answers,
)
from pilots.errors import ValidationError

from .instruments_testkit import build_answers


def _c_three_respondents() -> pd.DataFrame:
    c = builtin_definition("samverkan-systematik")
    ids = c.item_ids()
    r1 = [2] * 12  # sum 24 over 12 answers
    r2 = [1] * 6 + [0] * 5 + ["vet ej"]  # sum 6 over 11 answers, 1 vet ej
    r3 = [
        2,
        2,
        2,
        1,
        1,
        1,
        0,
        0,
        "vet ej",
        "vet ej",
        2,
        None,
    ]  # sum 11 over 9 answers, 2 vet ej, 1 unanswered
    rows = []
    for name, values in (("r1", r1), ("r2", r2), ("r3", r3)):
        rows += [(name, i, v) for i, v in zip(ids, values, strict=True)]
    return build_answers(rows)


def _indicator(table: pd.DataFrame, ind_id: str) -> dict:
    return table.set_index("id").loc[ind_id].to_dict()


def test_systematicity_score_of_three_respondents_by_hand() -> None:
    c = builtin_definition("samverkan-systematik")
    sys = _indicator(derived_indicators(c, _c_three_respondents()), "systematik")
    # (24 + 6 + 11) / (2 × (12 + 11 + 9)) = 41 / 64
    assert sys["value"] == pytest.approx(41 / 64)
    assert sys["classification"] == "delvis"
    assert sys["n_answered"] == 32
    assert sys["n_dont_know"] == 3
    assert bool(sys["is_overall_index"])
    assert overall_index(c, _c_three_respondents()) == pytest.approx(41 / 64)


@pytest.mark.parametrize(
    ("values", "expected_value", "expected_class"),
    [
        ([2] * 12, 1.0, "strukturerad"),
        ([1] * 6 + [0] * 5 + ["vet ej"], 6 / 22, "ostrukturerad"),
        ([2, 2, 2, 1, 1, 1] + [None] * 6, 9 / 12, "strukturerad"),  # exactly 0.75
        ([2, 2, 0, 0, 0] + [None] * 7, 4 / 10, "delvis"),  # exactly 0.4
        ([2, 1, 0, 0, 0] + [None] * 7, 3 / 10, "ostrukturerad"),
    ],
)
def test_systematicity_classes_at_their_thresholds(
    values: list, expected_value: float, expected_class: str
) -> None:
    c = builtin_definition("samverkan-systematik")
    ans = build_answers([("r", i, v) for i, v in zip(c.item_ids(), values, strict=True)])
    sys = _indicator(derived_indicators(c, ans), "systematik")
    assert sys["value"] == pytest.approx(expected_value)
    assert sys["classification"] == expected_class


def test_vet_ej_is_counted_but_never_a_zero(small_text: str) -> None:
    ins = parse_definition(small_text)
    ans = build_answers([("r1", "a", 2), ("r1", "b", "vet ej"), ("r2", "b", "vet ej")])
    sys = _indicator(derived_indicators(ins, ans), "sys")
    assert sys["value"] == 1.0  # 2 / (2 × 1); as a zero it would be 0.5
    assert sys["n_dont_know"] == 2 and sys["n_answered"] == 1
    items = item_summary(ins, ans).set_index("item_id")
    assert items.at["b", "n_answers"] == 0 and items.at["b", "n_dont_know"] == 2
    assert math.isnan(items.at["b", "median"])
    assert not items.at["b", "development_area"]  # no value, so no verdict
    f1 = factor_profile(ins, ans).set_index("factor_id").loc["f1"]
    assert f1["value"] == 2.0  # mean over the answered item only, not (2 + 0) / 2
    assert f1["n_items_answered"] == 1 and f1["n_dont_know"] == 2


def test_item_summary_statistics_by_hand(small_text: str) -> None:
    ins = parse_definition(small_text)
    ans = build_answers([("r1", "c", 1), ("r2", "c", 3), ("r3", "c", 4), ("r1", "a", 2), ("r2", "a", 2)])
    row = item_summary(ins, ans).set_index("item_id").loc["c"]
    assert (row["n_answers"], row["median"], row["min"], row["max"], row["range"]) == (3, 3.0, 1.0, 4.0, 3.0)
    assert row["iqr"] == pytest.approx(3.5 - 2.0)  # quartiles of 1, 3, 4 with linear interpolation
    assert bool(row["disagreement"])
    assert not item_summary(ins, ans).set_index("item_id").at["a", "disagreement"]


@pytest.mark.parametrize(
    ("item", "values", "expected"),
    [
        ("c", [3, 4], False),  # one step, both above the threshold 2
        ("c", [0, 1], False),  # one step, both at or below
        ("c", [2, 3], True),  # one step but across the threshold
        ("c", [1, 3], True),  # two steps
        ("a", [1, 2], True),  # JDN threshold 1: Delvis vs Ja lies across it
        ("a", [0, 1], False),
        ("a", [2], False),  # one respondent cannot disagree
        ("a", [2, "vet ej"], False),  # vet ej is not a position on the scale
    ],
)
def test_disagreement_rule(small_text: str, item: str, values: list, expected: bool) -> None:
    ins = parse_definition(small_text)
    ans = build_answers([(f"r{k}", item, v) for k, v in enumerate(values)])
    assert bool(item_summary(ins, ans).set_index("item_id").at[item, "disagreement"]) is expected


def test_factor_profile_and_development_areas_by_hand(small_text: str) -> None:
    ins = parse_definition(small_text)
    ans = build_answers(
        [("r1", "a", 2), ("r2", "a", 2), ("r3", "a", 1),
         ("r1", "b", 0), ("r2", "b", 1), ("r3", "b", "vet ej"),
         ("r1", "c", 1), ("r2", "c", 2)]
    )  # fmt: skip
    f1 = factor_profile(ins, ans).set_index("factor_id").loc["f1"]
    assert f1["value"] == pytest.approx((2 + 0.5) / 2)
    assert (f1["n_items_answered"], f1["n_answers"], f1["n_dont_know"]) == (2, 5, 1)
    assert not f1["development_area"]
    areas = development_areas(ins, ans)
    assert list(zip(areas["level"], areas["id"], areas["value"], strict=True)) == [
        ("item", "b", 0.5),
        ("item", "c", 1.5),
    ]
    assert list(areas["threshold"]) == [1.0, 2.0]


def test_factors_at_or_below_two_are_development_areas_on_b() -> None:
    b = builtin_definition("stodjande-organisation")
    values = [1, 2, 3, 4, 2, 3, 4, 4, "vet ej", 1, 3]
    ans = build_answers([("r", i, v) for i, v in zip(b.item_ids(), values, strict=True)])
    count = _indicator(derived_indicators(b, ans), "antal-utvecklingsomraden")
    assert count["value"] == 4 and count["n_units"] == 10 and count["n_dont_know"] == 1
    areas = development_areas(b, ans)
    assert list(areas.loc[areas["level"] == "factor", "id"]) == [
        "politiskt-beslut", "ledningens-stod", "langsiktig-finansiering", "uppfoljning-data",
    ]  # fmt: skip
    assert overall_index(b, ans) is None


def test_share_of_steps_done_on_a() -> None:
    a = builtin_definition("mfof-sju-steg")
    values = [4, 3, 3, 2, 1, "vet ej", 0]
    ans = build_answers([("r", i, v) for i, v in zip(a.item_ids(), values, strict=True)])
    share = _indicator(derived_indicators(a, ans), "andel-steg-genomforda")
    assert share["value"] == pytest.approx(3 / 6)
    assert share["n_dont_know"] == 1


def test_traffic_light_counts_each_measure_on_f() -> None:
    f = builtin_definition("bra-samverkansprocess")
    item = "f-atgard-trafikljus"
    ans = build_answers([("kommun", item, 2), ("kommun", item, 2), ("kommun", item, 1), ("kommun", item, 0),
                         ("kommun", item, "vet ej"), ("kommun", "f1-status", 3)])  # fmt: skip
    table = derived_indicators(f, ans)
    green = _indicator(table, "andel-atgarder-grona")
    assert green["value"] == pytest.approx(2 / 4) and green["n_dont_know"] == 1
    assert _indicator(table, "andel-steg-genomforda")["value"] == 1.0
    assert not item_summary(f, ans).set_index("item_id").at[item, "disagreement"]


def test_answers_outside_the_scale_are_refused_with_every_row(small_text: str) -> None:
    ins = parse_definition(small_text)
    ans = build_answers([("r1", "a", 3), ("r1", "zz", 1), ("r1", "c", 2), ("r1", "c", 3), ("r2", "b", 0.5)])
    with pytest.raises(ValidationError) as info:
        item_summary(ins, ans)
    wheres = [p.where for p in info.value.problems]
    assert wheres == ["answers row 0.value", "answers row 1.item_id", "answers row 3", "answers row 4.value"]
    with pytest.raises(ValidationError, match="missing column"):
        prepare_answers(ins, pd.DataFrame({"item_id": ["a"], "value": [1]}))


def test_no_answers_gives_empty_values_not_zeros(small_text: str) -> None:
    ins = parse_definition(small_text)
    empty = build_answers([])
    assert math.isnan(_indicator(derived_indicators(ins, empty), "sys")["value"])
    assert development_areas(ins, empty).empty
    assert item_summary(ins, empty)["n_answers"].sum() == 0


def test_change_between_rounds_by_hand(small_text: str) -> None:
    ins = parse_definition(small_text)
    first = build_answers([("r1", "a", 1), ("r1", "b", 1), ("r1", "c", 2)])
    second = build_answers([("r1", "a", 2), ("r1", "b", "vet ej"), ("r1", "c", 4)])
    ch = change_between_rounds(ins, first, second).set_index(["level", "id"])
    assert ch.at[("item", "a"), "change"] == 1
    assert math.isnan(ch.at[("item", "b"), "change"]) and ch.at[("item", "b"), "n_dont_know_b"] == 1
    assert ch.at[("item", "c"), "change"] == 2
    assert ch.at[("factor", "f1"), "value_a"] == 1 and ch.at[("factor", "f1"), "value_b"] == 2
    sys = ch.loc[("indicator", "sys")]
    assert (sys["value_a"], sys["value_b"], sys["change"]) == (0.5, 1.0, 0.5)
    assert (sys["classification_a"], sys["classification_b"]) == ("lag", "hog")
