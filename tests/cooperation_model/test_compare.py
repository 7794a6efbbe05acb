"""Group comparisons refuse small groups, match scipy, and report effect sizes worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cooperation_model.compare import (
    compare_groups,
    consistency_matrix,
    consistency_table,
)
from pilots.errors import ValidationError


def sites(groups: dict[str, list[float]]) -> pd.DataFrame:
    """One row per site: the group name and its measure, in the given order."""
    rows = []
    for g, values in groups.items():
        for v in values:
            i = len(rows)
            rows.append(
                {
                    "site_id": i,
                    "municipality_code": "2482",
                    "site_label": f"Plats {i}",
                    "size_class": g,
                    "score": v,
                }
            )
    return pd.DataFrame(rows)


def test_small_group_is_refused_without_p_value_or_interval() -> None:
    df = sites({"A": [1, 2, 3, 4, 5, 6], "B": [7, 8]})
    result = compare_groups(df, "size_class", "score")
    assert result.status == "too_few"
    assert math.isnan(result.test.p_value) and math.isnan(result.test.effect_size)
    assert result.test.test is None
    assert result.groups["ci_low"].isna().all() and result.groups["ci_high"].isna().all()
    assert "För få för att jämföra: grupp B har n=2 (minst 5 krävs)" in result.message()
    assert "group B has n=2 (at least 5 required)" in result.message("en")
    # descriptive statistics are still given
    assert result.groups.set_index("group").loc["B", "median"] == 7.5


def test_min_n_below_five_is_clamped_to_five() -> None:
    df = sites({"A": [1, 2, 3, 4], "B": [5, 6, 7, 8]})
    result = compare_groups(df, "size_class", "score", min_n=2)
    assert result.min_n == 5
    assert result.status == "too_few"
    assert "minst 5 krävs" in result.message()


def test_group_table_by_hand() -> None:
    df = sites({"A": [10, 1, 3, 2, 4], "B": [5, 6, 7, 8, 9]})
    a = compare_groups(df, "size_class", "score").groups.set_index("group").loc["A"]
    assert (a["n"], a["median"], a["min"], a["max"], a["q1"], a["q3"]) == (5, 3, 1, 10, 2, 4)
    assert a["min"] <= a["ci_low"] <= a["median"] <= a["ci_high"] <= a["max"]


def test_mann_whitney_effect_size_by_hand() -> None:
    # pairs where the first group is higher: 3→2, 5→3, 7→4, 9→5, 11→5 = 19 of 25
    df = sites({"A": [3, 5, 7, 9, 11], "B": [1, 2, 4, 6, 8]})
    test = compare_groups(df, "size_class", "score").test
    assert test.status == "ok" and test.test == "mann_whitney_u"
    assert test.statistic == 19
    assert test.effect_size_name == "rank_biserial_r"
    assert test.effect_size == pytest.approx(2 * 19 / 25 - 1)  # 0.52


def test_kruskal_wallis_effect_size_by_hand() -> None:
    # ranks sum to 15, 40 and 65: H = 12/(15·16)·(15²+40²+65²)/5 − 3·16 = 12.5, ε² = 12.5/14
    df = sites({"A": [1, 2, 3, 4, 5], "B": [6, 7, 8, 9, 10], "C": [11, 12, 13, 14, 15]})
    test = compare_groups(df, "size_class", "score").test
    assert test.test == "kruskal_wallis"
    assert test.statistic == pytest.approx(12.5)
    assert test.effect_size_name == "epsilon_squared"
    assert test.effect_size == pytest.approx(12.5 / 14)


def test_tests_match_scipy_with_enough_sites() -> None:
    rng = np.random.default_rng(42)
    a, b, c = (list(np.round(rng.normal(loc, 1, size=k), 1)) for loc, k in ((0, 8), (0.8, 9), (1.5, 7)))
    two = compare_groups(sites({"A": a, "B": b}), "size_class", "score").test
    expected = stats.mannwhitneyu(a, b, alternative="two-sided")
    assert two.statistic == pytest.approx(expected.statistic)
    assert two.p_value == pytest.approx(expected.pvalue)
    three = compare_groups(sites({"A": a, "B": b, "C": c}), "size_class", "score").test
    expected_kw = stats.kruskal(a, b, c)
    assert three.statistic == pytest.approx(expected_kw.statistic)
    assert three.p_value == pytest.approx(expected_kw.pvalue)
    assert three.effect_size == pytest.approx(expected_kw.statistic / (24 - 1))


def test_missing_values_are_excluded_and_counted() -> None:
    df = sites({"A": [1, 2, 3, 4, 5, float("nan")], "B": [6, 7, 8, 9, 10]})
    df.loc[len(df)] = {
        "site_id": 99,
        "municipality_code": "0180",
        "site_label": "Utan grupp",
        "size_class": None,
        "score": 3,
    }
    result = compare_groups(df, "size_class", "score")
    assert result.n_missing_measure == 1
    assert result.n_missing_group == 1
    a = result.groups.set_index("group").loc["A"]
    assert (a["n"], a["n_missing"]) == (5, 1)
    assert len(result.points) == 10
    assert set(result.points.columns) >= {"site_id", "municipality_code", "site_label", "group", "value"}
    assert result.status == "ok"


def test_expected_empty_category_is_reported_not_dropped() -> None:
    df = sites({"lt15k": [1, 2, 3, 4, 5], "15k-50k": [6, 7, 8, 9, 10]})
    result = compare_groups(df, "size_class", "score", categories=["lt15k", "15k-50k", "50k-200k", "gt200k"])
    assert list(result.groups["group"]) == ["lt15k", "15k-50k", "50k-200k", "gt200k"]
    empty = result.groups.set_index("group").loc["gt200k"]
    assert empty["n"] == 0 and empty["note"] == "tom grupp"
    assert result.group_table("en").set_index("Group").loc["gt200k", "Note"] == "empty group"
    assert result.test.test == "mann_whitney_u"  # the two groups with sites are compared
    assert "50k-200k" in result.message()


def test_value_outside_expected_categories_is_refused() -> None:
    df = sites({"lt15k": [1, 2, 3, 4, 5], "huge": [6, 7, 8, 9, 10]})
    with pytest.raises(ValidationError, match="huge"):
        compare_groups(df, "size_class", "score", categories=["lt15k", "gt200k"])


def test_non_numeric_measure_is_refused() -> None:
    df = sites({"A": [1, 2, 3, 4, 5]})
    df["score"] = df["score"].astype(object)
    df.loc[2, "score"] = "hög"
    with pytest.raises(ValidationError, match="score"):
        compare_groups(df, "size_class", "score")


def test_bootstrap_is_deterministic_with_the_seed() -> None:
    rng = np.random.default_rng(7)
    df = sites({"A": list(rng.normal(0, 1, 12)), "B": list(rng.normal(1, 1, 12))})
    first = compare_groups(df, "size_class", "score", seed=3).groups
    again = compare_groups(df, "size_class", "score", seed=3).groups
    pd.testing.assert_frame_equal(first, again)
    assert first["ci_low"].notna().all()
    assert (first["ci_low"] <= first["median"]).all() and (first["median"] <= first["ci_high"]).all()


# --- consistency table ------------------------------------------------------------------------------


def consistency_sites() -> pd.DataFrame:
    rows = []

    def add(context: str, present: list[float], absent: list[float]) -> None:
        rows.extend({"region": context, "factor": True, "outcome": v} for v in present)
        rows.extend({"region": context, "factor": False, "outcome": v} for v in absent)

    add("A", [6, 7, 8, 9, 10], [1, 2, 3, 4, 5])  # medians 8 vs 3: +
    add("B", [4, 5, 6, 7, 8], [0, 1, 2, 3, 4])  # 6 vs 2: +
    add("C", [1, 2, 3, 4, 5], [2, 3, 4, 5, 6])  # 3 vs 4: -
    add("D", [9, 9], [0])  # too few
    return pd.DataFrame(rows)


def test_consistency_counts_contexts_with_enough_data() -> None:
    table = consistency_table(consistency_sites(), "factor", "outcome", "region")
    by = table.set_index("context")
    assert list(by.loc[["A", "B", "C", "D"], "direction"]) == ["+", "+", "-", "+"]
    assert list(by.loc[["A", "B", "C", "D"], "enough_data"]) == [True, True, True, False]
    # all sites: present median 6 (17 values), absent median 3 (16 values)
    assert (by.loc["Alla", "median_present"], by.loc["Alla", "median_absent"]) == (6, 3)
    assert by.loc["Alla", "n"] == 33
    summary = by.loc["Sammanfattning"]
    assert (summary["k_consistent"], summary["m_contexts"]) == (2, 3)
    assert summary["summary"] == "konsekvent i 2 av 3 sammanhang med tillräckligt underlag"
    assert by.loc["D", "n_present"] == 2 and by.loc["D", "n_absent"] == 1
    assert math.isnan(by.loc["D", "spearman_rho"])
    # perfect separation with a 0/1 factor: rho = sqrt(62.5 / 82.5)
    assert by.loc["A", "spearman_rho"] == pytest.approx(math.sqrt(62.5 / 82.5))
    en = consistency_table(consistency_sites(), "factor", "outcome", "region", lang="en")
    assert en.iloc[-1]["summary"] == "consistent in 2 of 3 contexts with enough data"


def test_numeric_factor_is_split_at_median_or_threshold() -> None:
    df = pd.DataFrame({"region": ["X"] * 10, "meetings": list(range(1, 11)), "outcome": list(range(10))})
    by = consistency_table(df, "meetings", "outcome", "region").set_index("context")
    assert by.loc["X", "threshold"] == 5.5
    assert (by.loc["X", "n_present"], by.loc["X", "n_absent"]) == (5, 5)
    assert (by.loc["X", "median_present"], by.loc["X", "median_absent"]) == (7, 2)
    assert by.loc["X", "spearman_rho"] == pytest.approx(1.0)
    by8 = consistency_table(df, "meetings", "outcome", "region", threshold=8).set_index("context")
    assert (by8.loc["X", "n_present"], by8.loc["X", "n_absent"]) == (3, 7)


def test_ja_nej_factor_and_unknown_values() -> None:
    df = pd.DataFrame({"region": ["X"] * 4, "samordnare": ["Ja", "nej", "ja", ""], "outcome": [3, 1, 5, 9]})
    by = consistency_table(df, "samordnare", "outcome", "region").set_index("context")
    assert (by.loc["X", "n"], by.loc["X", "n_present"], by.loc["X", "median_present"]) == (3, 2, 4)
    df.loc[0, "samordnare"] = "kanske"
    with pytest.raises(ValidationError, match="kanske"):
        consistency_table(df, "samordnare", "outcome", "region")


def test_consistency_matrix_stacks_factor_outcome_pairs() -> None:
    df = consistency_sites()
    df["other"] = df["outcome"] * -1
    matrix = consistency_matrix(
        df, ["factor"], ["outcome", "other"], "region", contexts=["A", "B", "C", "D", "E"]
    )
    assert list(matrix.groupby("outcome", sort=False).size()) == [7, 7]  # 5 contexts + all + summary
    flipped = matrix[(matrix["outcome"] == "other") & (matrix["row_type"] == "summary")].iloc[0]
    assert flipped["direction"] == "-" and flipped["k_consistent"] == 2
    empty = matrix[(matrix["context"] == "E")].iloc[0]
    assert empty["n"] == 0 and not empty["enough_data"]


def test_context_outside_the_given_contexts_is_refused() -> None:
    with pytest.raises(ValidationError, match="D"):
        consistency_table(consistency_sites(), "factor", "outcome", "region", contexts=["A", "B", "C"])
