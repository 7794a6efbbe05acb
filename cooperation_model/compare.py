"""Compare sites across size classes and regions with honest small-n statistics (see docs/statistics.md).

Rules, in short:

- A test (Kruskal–Wallis for three or more groups, Mann–Whitney U for two) and the bootstrap
  confidence intervals of the medians are computed only when every non-empty group has at least
  ``min_n`` sites with a value; ``min_n`` defaults to 5 and is never lower than 5. Otherwise the
  result says "too_few" and names the groups that are too small; no p-value is given.
- Sites with a missing measure (or a missing group) are excluded and counted.
- Groups the caller expects (``categories``) but that have no sites are reported as empty
  ("tom grupp") and left out of the test; they do not block it.
- Effect sizes: epsilon² = H / (n − 1) for Kruskal–Wallis; rank-biserial r = 2·U₁ / (n₁·n₂) − 1 for
  Mann–Whitney U, positive when the first group (in group order) tends to have higher values.
- Bootstrap: percentile interval of the median from ``n_boot`` resamples with replacement within
  each group, seeded with ``seed`` (same input and seed → same interval).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from pilots.errors import Problem, ValidationError

MIN_N_FLOOR = 5
"""No p-value, confidence interval or correlation is ever computed on fewer sites than this."""

STATUS_OK = "ok"
STATUS_TOO_FEW = "too_few"
STATUS_ONE_GROUP = "one_group"
STATUS_NO_VARIATION = "no_variation"

DIRECTION_UP = "+"
DIRECTION_DOWN = "-"
DIRECTION_NONE = "0"

GROUP_TABLE_LABELS: dict[str, tuple[str, str]] = {
    "group": ("Grupp", "Group"),
    "n": ("Antal", "n"),
    "n_missing": ("Saknar värde", "Missing"),
    "median": ("Median", "Median"),
    "min": ("Min", "Min"),
    "max": ("Max", "Max"),
    "q1": ("Första kvartil", "First quartile"),
    "q3": ("Tredje kvartil", "Third quartile"),
    "ci_low": ("95 % KI, nedre", "95% CI, lower"),
    "ci_high": ("95 % KI, övre", "95% CI, upper"),
    "note": ("Anmärkning", "Note"),
}

_POINT_COLUMNS = ["site_id", "municipality_code", "site_label"]


def effective_min_n(min_n: int) -> int:
    """The minimum group size actually used: ``min_n`` clamped to at least 5."""
    return max(int(min_n), MIN_N_FLOOR)


def epsilon_squared(h: float, n: int) -> float:
    """Kruskal–Wallis effect size epsilon² = H / ((n² − 1) / (n + 1)) = H / (n − 1)."""
    return float(h) / (n - 1)


def rank_biserial(u1: float, n1: int, n2: int) -> float:
    """Rank-biserial r = 2·U₁/(n₁·n₂) − 1: share of pairs where group 1 is higher minus share where lower."""
    return 2.0 * float(u1) / (n1 * n2) - 1.0


@dataclass
class TestResult:
    """Outcome of the group test; ``p_value`` and ``effect_size`` are NaN unless ``status == "ok"``."""

    __test__ = False  # not a pytest class

    status: str
    test: str | None = None  # "kruskal_wallis" | "mann_whitney_u"
    statistic: float = float("nan")
    p_value: float = float("nan")
    effect_size: float = float("nan")
    effect_size_name: str | None = None  # "epsilon_squared" | "rank_biserial_r"
    groups_tested: list[str] = field(default_factory=list)
    message_sv: str = ""
    message_en: str = ""

    def message(self, lang: str = "sv") -> str:
        return self.message_en if lang == "en" else self.message_sv


@dataclass
class ComparisonResult:
    """Per-group table, the sites as points for a strip plot, and the test (or why there is none)."""

    group_col: str
    measure_col: str
    min_n: int
    groups: pd.DataFrame
    points: pd.DataFrame
    test: TestResult
    n_missing_measure: int
    n_missing_group: int

    @property
    def status(self) -> str:
        return self.test.status

    def message(self, lang: str = "sv") -> str:
        return self.test.message(lang)

    def group_table(self, lang: str = "sv") -> pd.DataFrame:
        """The per-group table with Swedish (default) or English column headers."""
        i = 1 if lang == "en" else 0
        table = self.groups.copy()
        if lang == "en":
            table["note"] = table["note"].map({"tom grupp": "empty group", "": ""}).fillna(table["note"])
        return table.rename(columns={k: v[i] for k, v in GROUP_TABLE_LABELS.items()})


def _is_missing_label(value: object) -> bool:
    return (
        value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT
    )


def _check_columns(df: pd.DataFrame, required: Sequence[str], where: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValidationError(
            [
                Problem(
                    where, f"kolumnen {c!r} saknas (column missing); finns: {', '.join(map(str, df.columns))}"
                )
                for c in missing
            ]
        )


def _numeric(df: pd.DataFrame, col: str, where: str) -> pd.Series:
    values = pd.to_numeric(df[col], errors="coerce")
    bad = df[col].notna() & values.isna()
    if bad.any():
        rows = ", ".join(str(i) for i in df.index[bad][:10])
        raise ValidationError(
            Problem(
                f"{where}, kolumn {col}", f"icke-numeriska värden på rad (index) {rows} (expected numbers)"
            )
        )
    return values.astype(float)


def _group_order(present: Sequence[object], categories: Sequence[object] | None) -> list[object]:
    if categories is not None:
        return list(dict.fromkeys(categories))
    return sorted(dict.fromkeys(present), key=lambda g: (str(type(g)), g))  # type: ignore[return-value]


def _bootstrap_median_ci(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> tuple[float, float]:
    idx = rng.integers(0, len(values), size=(n_boot, len(values)))
    medians = np.median(values[idx], axis=1)
    low, high = np.percentile(medians, [2.5, 97.5])
    return float(low), float(high)


def compare_groups(
    df: pd.DataFrame,
    group_col: str,
    measure_col: str,
    min_n: int = MIN_N_FLOOR,
    n_boot: int = 2000,
    seed: int = 0,
    categories: Sequence[object] | None = None,
) -> ComparisonResult:
    """Compare ``measure_col`` across the groups in ``group_col`` (one row per site).

    ``df`` has ``site_id``, ``municipality_code``, ``site_label``, ``group_col`` and ``measure_col``.
    ``categories`` lists the expected groups in display order: groups without sites are reported
    as "tom grupp"; a group value outside ``categories`` is refused. Without it, groups are the
    values present, sorted. Example: 12 sites in two size classes of 6 → Mann–Whitney U with
    rank-biserial r; a class with 2 sites → ``status == "too_few"`` and no p-value.
    """
    _check_columns(df, [*_POINT_COLUMNS, group_col, measure_col], "jämförelse")
    floor = effective_min_n(min_n)
    values = _numeric(df, measure_col, "jämförelse")
    group_missing = df[group_col].map(_is_missing_label).astype(bool)
    if categories is not None:
        allowed = set(categories)
        unknown = sorted({str(g) for g in df.loc[~group_missing, group_col] if g not in allowed})
        if unknown:
            raise ValidationError(
                Problem(
                    f"kolumn {group_col}",
                    f"värden utanför de förväntade grupperna: {', '.join(unknown)}; förväntade: "
                    f"{', '.join(map(str, categories))} (values outside the expected groups)",
                )
            )
    n_missing_group = int(group_missing.sum())
    keep = ~group_missing
    n_missing_measure = int((keep & values.isna()).sum())
    usable = keep & values.notna()

    points = df.loc[usable, _POINT_COLUMNS].copy()
    points["group"] = df.loc[usable, group_col]
    points["value"] = values[usable]
    points = points.reset_index(drop=True)

    order = _group_order(list(df.loc[keep, group_col]), categories)
    rows = []
    samples: dict[object, np.ndarray] = {}
    for g in order:
        in_group = keep & (df[group_col] == g)
        vals = values[in_group & values.notna()].to_numpy(dtype=float)
        samples[g] = vals
        row: dict[str, object] = {
            "group": g,
            "n": len(vals),
            "n_missing": int((in_group & values.isna()).sum()),
        }
        if len(vals):
            row.update(
                median=float(np.median(vals)),
                min=float(vals.min()),
                max=float(vals.max()),
                q1=float(np.percentile(vals, 25)),
                q3=float(np.percentile(vals, 75)),
                note="",
            )
        else:
            row.update(median=np.nan, min=np.nan, max=np.nan, q1=np.nan, q3=np.nan, note="tom grupp")
        rows.append(row)

    test = _test(samples, floor)
    ci = {g: (np.nan, np.nan) for g in order}
    if test.status in (STATUS_OK, STATUS_NO_VARIATION, STATUS_ONE_GROUP):
        rng = np.random.default_rng(seed)
        for g in order:
            if len(samples[g]):
                ci[g] = _bootstrap_median_ci(samples[g], n_boot, rng)
    for row in rows:
        row["ci_low"], row["ci_high"] = ci[row["group"]]
    groups = pd.DataFrame(rows, columns=list(GROUP_TABLE_LABELS))
    return ComparisonResult(
        group_col=group_col,
        measure_col=measure_col,
        min_n=floor,
        groups=groups,
        points=points,
        test=test,
        n_missing_measure=n_missing_measure,
        n_missing_group=n_missing_group,
    )


def _test(samples: dict[object, np.ndarray], floor: int) -> TestResult:
    non_empty = {g: v for g, v in samples.items() if len(v)}
    empty = [str(g) for g, v in samples.items() if not len(v)]
    small = {g: len(v) for g, v in non_empty.items() if len(v) < floor}
    if small:
        parts_sv = "; ".join(f"grupp {g} har n={n}" for g, n in small.items())
        parts_en = "; ".join(f"group {g} has n={n}" for g, n in small.items())
        return TestResult(
            status=STATUS_TOO_FEW,
            message_sv=f"För få för att jämföra: {parts_sv} (minst {floor} krävs).",
            message_en=f"Too few to compare: {parts_en} (at least {floor} required).",
        )
    names = [str(g) for g in non_empty]
    empty_sv = f" Tomma grupper utan test: {', '.join(empty)}." if empty else ""
    empty_en = f" Empty groups left out: {', '.join(empty)}." if empty else ""
    if len(non_empty) < 2:
        return TestResult(
            status=STATUS_ONE_GROUP,
            groups_tested=names,
            message_sv="Bara en grupp med data; inget att jämföra." + empty_sv,
            message_en="Only one group has data; nothing to compare." + empty_en,
        )
    arrays = list(non_empty.values())
    pooled = np.concatenate(arrays)
    if np.all(pooled == pooled[0]):
        return TestResult(
            status=STATUS_NO_VARIATION,
            groups_tested=names,
            message_sv="Alla värden är lika; ingen skillnad att testa." + empty_sv,
            message_en="All values are equal; no difference to test." + empty_en,
        )
    if len(arrays) == 2:
        x, y = arrays
        res = stats.mannwhitneyu(x, y, alternative="two-sided")
        r = rank_biserial(res.statistic, len(x), len(y))
        return TestResult(
            status=STATUS_OK,
            test="mann_whitney_u",
            statistic=float(res.statistic),
            p_value=float(res.pvalue),
            effect_size=r,
            effect_size_name="rank_biserial_r",
            groups_tested=names,
            message_sv=f"Mann–Whitney U = {res.statistic:g}, p = {res.pvalue:.3g}, "
            f"rangbiserial r = {r:.2f} (positiv: {names[0]} högre)." + empty_sv,
            message_en=f"Mann–Whitney U = {res.statistic:g}, p = {res.pvalue:.3g}, "
            f"rank-biserial r = {r:.2f} (positive: {names[0]} higher)." + empty_en,
        )
    res = stats.kruskal(*arrays)
    eps = epsilon_squared(res.statistic, len(pooled))
    return TestResult(
        status=STATUS_OK,
        test="kruskal_wallis",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        effect_size=eps,
        effect_size_name="epsilon_squared",
        groups_tested=names,
        message_sv=f"Kruskal–Wallis H = {res.statistic:.3g}, p = {res.pvalue:.3g}, ε² = {eps:.2f}."
        + empty_sv,
        message_en=f"Kruskal–Wallis H = {res.statistic:.3g}, p = {res.pvalue:.3g}, ε² = {eps:.2f}."
        + empty_en,
    )


# --- consistency of a candidate success factor across contexts -------------------------------------

_BOOL_TRUE = {"ja", "true", "sant", "yes", "1"}
_BOOL_FALSE = {"nej", "false", "falskt", "no", "0"}


def _factor_numbers(factor: pd.Series) -> tuple[pd.Series, bool]:
    """The factor as floats (1.0/0.0 for a boolean factor) and whether it is boolean."""
    non_missing = [v for v in factor if not _is_missing_label(v)]
    if factor.dtype == bool or (non_missing and all(isinstance(v, (bool, np.bool_)) for v in non_missing)):
        return factor.map(lambda v: np.nan if _is_missing_label(v) else float(bool(v))), True
    if non_missing and all(isinstance(v, str) for v in non_missing):
        lowered = factor.map(lambda v: v.strip().lower() if isinstance(v, str) else "")
        unknown = sorted(set(lowered) - _BOOL_TRUE - _BOOL_FALSE - {""})
        if unknown:
            raise ValidationError(
                Problem(
                    "faktor",
                    f"okända värden {', '.join(unknown)}: förväntade ja/nej, true/false eller tal "
                    "(expected yes/no, true/false or numbers)",
                )
            )
        return lowered.map(lambda v: 1.0 if v in _BOOL_TRUE else 0.0 if v in _BOOL_FALSE else np.nan), True
    numbers = _numeric(factor.to_frame("faktor"), "faktor", "konsistens")
    return numbers, set(numbers.dropna().unique()) <= {0.0, 1.0}


def _direction(with_factor: float, without: float) -> str | None:
    if np.isnan(with_factor) or np.isnan(without):
        return None
    if with_factor > without:
        return DIRECTION_UP
    if with_factor < without:
        return DIRECTION_DOWN
    return DIRECTION_NONE


def _context_row(
    factor_num: pd.Series, present: pd.Series, outcome: pd.Series, floor: int
) -> dict[str, object]:
    n_present = int((present == 1.0).sum())
    n_absent = int((present == 0.0).sum())
    med_p = float(outcome[present == 1.0].median()) if n_present else np.nan
    med_a = float(outcome[present == 0.0].median()) if n_absent else np.nan
    rho = np.nan
    if len(outcome) >= floor and factor_num.nunique() > 1 and outcome.nunique() > 1:
        rho = float(stats.spearmanr(factor_num, outcome).statistic)
    return {
        "n": len(outcome),
        "n_present": n_present,
        "n_absent": n_absent,
        "median_present": med_p,
        "median_absent": med_a,
        "difference": med_p - med_a,
        "direction": _direction(med_p, med_a),
        "spearman_rho": rho,
        "enough_data": n_present >= floor and n_absent >= floor,
    }


def consistency_table(
    df: pd.DataFrame,
    factor_col: str,
    outcome_col: str,
    context_col: str,
    min_n: int = MIN_N_FLOOR,
    threshold: float | None = None,
    contexts: Sequence[object] | None = None,
    lang: str = "sv",
) -> pd.DataFrame:
    """How consistently a candidate success factor goes with an outcome, context by context.

    The factor is present when it is true (boolean, 0/1 or ja/nej) or, when numeric, when it is
    ≥ ``threshold`` (default: the median of the factor over all sites with both values). For each
    context (value of ``context_col``; ``contexts`` fixes the order and reports empty ones) and for
    all sites together: n, n with the factor present/absent, the outcome median with and without,
    direction (+ higher with the factor, - lower, 0 equal), Spearman rho between factor and outcome
    when n ≥ min_n. A context has enough data when both sides have ≥ min_n sites (min_n ≥ 5). The last
    row summarises: the number k of contexts with enough data whose direction equals the direction
    over all sites, out of m contexts with enough data. Sites missing factor or outcome are left out;
    sites missing the context count only in the all-sites row.
    """
    _check_columns(df, [factor_col, outcome_col, context_col], "konsistens")
    floor = effective_min_n(min_n)
    outcome_all = _numeric(df, outcome_col, "konsistens")
    factor_all, is_boolean = _factor_numbers(df[factor_col])
    usable = factor_all.notna() & outcome_all.notna()
    factor_num, outcome = factor_all[usable], outcome_all[usable]
    cut: float | None = None
    if threshold is not None:
        cut = float(threshold)
    elif not is_boolean:
        cut = float(np.median(factor_num)) if len(factor_num) else np.nan
    present = (factor_num >= cut).astype(float) if cut is not None else factor_num
    context = df.loc[usable, context_col]

    all_label = "Alla" if lang != "en" else "All"
    base = {"factor": factor_col, "outcome": outcome_col, "threshold": cut}
    overall = {
        **base,
        "context": all_label,
        "row_type": "all",
        **_context_row(factor_num, present, outcome, floor),
    }
    rows = []
    observed = [c for c in context.unique() if not _is_missing_label(c)]
    if contexts is not None:
        unknown = sorted(str(c) for c in observed if c not in set(contexts))
        if unknown:
            raise ValidationError(
                Problem(
                    f"kolumn {context_col}",
                    f"värden utanför de angivna sammanhangen: {', '.join(unknown)} "
                    "(values outside the contexts)",
                )
            )
    for c in _group_order(observed, contexts):
        mask = context == c
        rows.append(
            {
                **base,
                "context": c,
                "row_type": "context",
                **_context_row(factor_num[mask], present[mask], outcome[mask], floor),
            }
        )
    for row in rows:
        row["consistent"] = (row["direction"] == overall["direction"]) if row["enough_data"] else None
    k = sum(1 for r in rows if r["consistent"] is True)
    m = sum(1 for r in rows if r["enough_data"])
    overall["consistent"] = None
    text = (
        f"consistent in {k} of {m} contexts with enough data"
        if lang == "en"
        else f"konsekvent i {k} av {m} sammanhang med tillräckligt underlag"
    )
    summary = {
        **base,
        "context": "Sammanfattning" if lang != "en" else "Summary",
        "row_type": "summary",
        "direction": overall["direction"],
        "k_consistent": k,
        "m_contexts": m,
        "summary": text,
    }
    table = pd.DataFrame([*rows, overall, summary])
    columns = [
        "factor",
        "outcome",
        "context",
        "row_type",
        "n",
        "n_present",
        "n_absent",
        "threshold",
        "median_present",
        "median_absent",
        "difference",
        "direction",
        "spearman_rho",
        "enough_data",
        "consistent",
        "k_consistent",
        "m_contexts",
        "summary",
    ]
    table = table.reindex(columns=columns)
    for col in ("n", "n_present", "n_absent", "k_consistent", "m_contexts"):
        table[col] = table[col].astype("Int64")
    return table


def consistency_matrix(
    df: pd.DataFrame,
    factor_cols: Sequence[str],
    outcome_cols: Sequence[str],
    context_col: str,
    min_n: int = MIN_N_FLOOR,
    thresholds: dict[str, float] | None = None,
    contexts: Sequence[object] | None = None,
    lang: str = "sv",
) -> pd.DataFrame:
    """``consistency_table`` for every factor × outcome pair, stacked (factor-major order)."""
    thresholds = thresholds or {}
    tables = [
        consistency_table(
            df, f, o, context_col, min_n=min_n, threshold=thresholds.get(f), contexts=contexts, lang=lang
        )
        for f in factor_cols
        for o in outcome_cols
    ]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
