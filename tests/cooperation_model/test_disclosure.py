"""Small-count suppression: primary, complementary, shares, threshold and the rule sentence."""

from __future__ import annotations

import pandas as pd
import pytest

from cooperation_model.disclosure import (
    THRESHOLD_ENV,
    resolve_threshold,
    rule_text,
    suppress_small_counts,
)
from pilots.errors import ValidationError


@pytest.fixture(autouse=True)
def _no_env_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(THRESHOLD_ENV, raising=False)


def two_by_three() -> pd.DataFrame:
    return pd.DataFrame(
        {"skola": [10, 12], "polis": [3, 9], "fritid": [8, 15], "Totalt": [21, 36]},
        index=["Kommun A", "Kommun B"],
    )


def test_one_small_cell_in_a_row_with_total_hides_it_and_the_next_smallest() -> None:
    out, rep = suppress_small_counts(
        two_by_three(), ["skola", "polis", "fritid"], totals={"row": "Totalt", "column": False}
    )
    assert rep.primary == [("Kommun A", "polis")]
    # 21 - 10 - 8 would give the 3 back, so the 8 (smallest other non-zero cell) goes too.
    assert rep.secondary == [("Kommun A", "fritid")]
    assert out.loc["Kommun A"].tolist() == [10, "..", "..", 21]
    assert out.loc["Kommun B"].tolist() == [12, 9, 15, 36]


def test_row_and_column_totals_both_published_spreads_suppression() -> None:
    out, rep = suppress_small_counts(two_by_three(), ["skola", "polis", "fritid"], totals={"row": "Totalt"})
    # Column sums are assumed known, so each hidden cell in A needs a partner in B's column.
    assert set(rep.suppressed) == {
        ("Kommun A", "polis"),
        ("Kommun A", "fritid"),
        ("Kommun B", "polis"),
        ("Kommun B", "fritid"),
    }
    assert out.loc["Kommun B", "skola"] == 12
    assert out.loc["Kommun A", "Totalt"] == 21


def test_total_row_in_table_drives_column_complement() -> None:
    df = pd.DataFrame({"m1": [7, 6, 13], "m2": [2, 9, 11]}, index=["A", "B", "Summa"])
    out, rep = suppress_small_counts(df, ["m1", "m2"], totals={"row": False, "column": "Summa"})
    assert rep.primary == [("A", "m2")]
    assert rep.secondary == [("B", "m2")]
    assert out["m2"].tolist() == ["..", "..", 11]
    assert out["m1"].tolist() == [7, 6, 13]


def test_small_total_is_itself_suppressed() -> None:
    df = pd.DataFrame({"a": [1, 20], "b": [2, 30], "T": [3, 50]}, index=["x", "y"])
    out, _ = suppress_small_counts(df, ["a", "b"], totals={"row": "T", "column": False})
    assert out.loc["x"].tolist() == ["..", "..", ".."]
    assert out.loc["y"].tolist() == [20, 30, 50]


def test_threshold_argument_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    df = two_by_three()
    cols = ["skola", "polis", "fritid"]
    out, rep = suppress_small_counts(df, cols, threshold=3, totals={"row": "Totalt", "column": False})
    assert rep.suppressed == [] and out.loc["Kommun A", "polis"] == 3
    monkeypatch.setenv(THRESHOLD_ENV, "10")
    _, rep = suppress_small_counts(df, cols, totals={"row": "Totalt", "column": False})
    # Under 10: 3, 8 and 9 are primary; no row then has a single hidden cell.
    assert set(rep.primary) == {("Kommun A", "polis"), ("Kommun A", "fritid"), ("Kommun B", "polis")}
    assert ("Kommun B", "skola") in rep.secondary
    assert resolve_threshold() == 10
    assert rule_text(lang="sv").startswith("Antal under 10 ")


def test_bad_environment_threshold_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THRESHOLD_ENV, "fem")
    with pytest.raises(ValidationError, match=THRESHOLD_ENV):
        resolve_threshold()
    with pytest.raises(ValidationError):
        resolve_threshold(0)


def test_shares_from_hidden_counts_are_hidden() -> None:
    df = pd.DataFrame(
        {"antal": [20, 2, 18], "andel": [0.5, 0.05, 0.45]}, index=["Umeå", "Skellefteå", "Luleå"]
    )
    out, rep = suppress_small_counts(df, ["antal"], share_cols={"andel": "antal"})
    # Skellefteå's 2 is primary; the column total (40) is assumed known, so Luleå's 18 goes too.
    assert out["antal"].tolist() == [20, "..", ".."]
    assert out["andel"].tolist() == [0.5, "..", ".."]
    assert sorted(rep.shares) == [("Luleå", "andel"), ("Skellefteå", "andel")]


def test_zero_is_shown_and_not_picked_as_complement_unless_asked() -> None:
    df = pd.DataFrame({"a": [0], "b": [3], "c": [10], "T": [13]}, index=["r"])
    out, _ = suppress_small_counts(df, ["a", "b", "c"], totals={"row": "T", "column": False})
    assert out.loc["r"].tolist() == [0, "..", "..", 13]
    out, rep = suppress_small_counts(
        df, ["a", "b", "c"], totals={"row": "T", "column": False}, suppress_zero=True
    )
    assert ("r", "a") in rep.primary and out.loc["r", "c"] == 10


def test_marker_is_configurable_and_input_is_not_changed() -> None:
    df = two_by_three()
    out, _ = suppress_small_counts(df, ["skola", "polis", "fritid"], totals={"row": "Totalt"}, marker="–")
    assert out.loc["Kommun A", "polis"] == "–"
    assert df.loc["Kommun A", "polis"] == 3


def test_all_bad_cells_are_reported_at_once() -> None:
    df = pd.DataFrame({"a": [-1, 2.5], "b": ["x", 4]}, index=["r1", "r2"])
    with pytest.raises(ValidationError) as exc:
        suppress_small_counts(df, ["a", "b", "saknas"])
    wheres = [p.where for p in exc.value.problems]
    assert "rad 'r1', kolumn 'a'" in wheres
    assert "rad 'r2', kolumn 'a'" in wheres
    assert "rad 'r1', kolumn 'b'" in wheres
    assert any("saknas" in w for w in wheres)


def test_rule_text_in_both_languages() -> None:
    assert rule_text(5, "sv") == (
        "Antal under 5 visas inte (..), inte heller värden som skulle kunna räknas fram ur summor."
    )
    assert rule_text(3, "en") == (
        "Counts below 3 are not shown (..), nor are values that could be worked out from totals."
    )
