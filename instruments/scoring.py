"""Scoring of instrument answers: item summaries, factor profiles, derived indicators, development areas.

Answers are a DataFrame with one row per answer: ``respondent`` (str), ``item_id`` (str), ``value``
(float or NA) and ``dont_know`` (bool). A "Vet ej" answer has ``dont_know=True``; it is counted and
shown (``n_dont_know``) but never enters a sum, median or mean. A row with no value and
``dont_know=False`` is an unanswered item and is ignored.

Rules (see also definition_schema.md):

- item value = median of the respondents' answers (for a repeatable item, of its entries);
- factor value = mean of the medians of its items that have answers;
- ``disagreement`` (items with two or more respondents answering): the highest and lowest answers
  are two or more scale steps apart, or they lie on both sides of the scale's development
  threshold (lowest <= threshold < highest). Never set for repeatable items, whose entries are
  different things (e.g. different measures), not different views;
- development area = an item median or factor value at or below its scale's development threshold.

No function here adds items up into an overall index unless the instrument names one
(``scoring.overall_index``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from instruments.schema import DerivedIndicator, Instrument, Item
from pilots.errors import Problem, ValidationError

ANSWER_COLUMNS = ("respondent", "item_id", "value", "dont_know")


def empty_answers() -> pd.DataFrame:
    """An answers frame with no rows and the expected columns and dtypes."""
    return pd.DataFrame(
        {
            "respondent": pd.Series(dtype="object"),
            "item_id": pd.Series(dtype="object"),
            "value": pd.Series(dtype="float64"),
            "dont_know": pd.Series(dtype="bool"),
        }
    )


def _is_missing(v: object) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def prepare_answers(instrument: Instrument, answers: pd.DataFrame) -> pd.DataFrame:
    """Check answers against the instrument and return a clean frame (unanswered rows dropped).

    Raises ValidationError listing every problem with its row: missing columns, unknown items,
    values outside an item's scale, a value given together with "vet ej", or the same respondent
    answering a (non-repeatable) item twice.
    """
    missing = [c for c in ANSWER_COLUMNS if c not in answers.columns]
    if missing:
        raise ValidationError(
            Problem(
                "answers", f"missing column(s): {', '.join(missing)}; expected {', '.join(ANSWER_COLUMNS)}"
            )
        )
    items = {i.id: i for i in instrument.items()}
    allowed = {i.id: set(instrument.scale(i.scale).allowed_values()) for i in items.values()}
    problems: list[Problem] = []
    keep_resp: list[str] = []
    keep_item: list[str] = []
    keep_val: list[float] = []
    keep_dk: list[bool] = []
    seen: set[tuple[str, str]] = set()
    for pos, (resp, item_id, value, dk) in enumerate(
        zip(answers["respondent"], answers["item_id"], answers["value"], answers["dont_know"], strict=True)
    ):
        where = f"answers row {pos}"
        if item_id not in items:
            problems.append(
                Problem(f"{where}.item_id", f'no item "{item_id}" in {instrument.id} {instrument.version}')
            )
            continue
        dont_know = False if _is_missing(dk) else dk
        if not isinstance(dont_know, (bool, np.bool_)):
            problems.append(Problem(f"{where}.dont_know", f"expected true or false, got {dont_know!r}"))
            continue
        has_value = not _is_missing(value)
        if dont_know and has_value:
            problems.append(
                Problem(f"{where}.value", f"item {item_id}: a value ({value}) was given with 'vet ej'")
            )
            continue
        if not dont_know and not has_value:
            continue  # unanswered
        if has_value:
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if not (math.isfinite(number) and number.is_integer() and int(number) in allowed[item_id]):
                scale = instrument.scale(items[item_id].scale)
                problems.append(
                    Problem(
                        f"{where}.value",
                        f"{value!r} is not allowed for item {item_id}; scale {scale.describe()}",
                    )
                )
                continue
        if not items[item_id].repeatable:
            key = (str(resp), str(item_id))
            if key in seen:
                problems.append(Problem(where, f"respondent {resp} answers item {item_id} more than once"))
                continue
            seen.add(key)
        keep_resp.append(str(resp))
        keep_item.append(str(item_id))
        keep_val.append(float(value) if has_value else math.nan)
        keep_dk.append(bool(dont_know))
    if problems:
        raise ValidationError(problems)
    out = empty_answers()
    if keep_item:
        out = pd.DataFrame(
            {"respondent": keep_resp, "item_id": keep_item, "value": keep_val, "dont_know": keep_dk}
        )
    return out


def _values(ans: pd.DataFrame, item_ids: list[str] | tuple[str, ...]) -> pd.Series:
    sub = ans[ans["item_id"].isin(item_ids) & ~ans["dont_know"]]
    return sub["value"].astype(float)


def _n_dont_know(ans: pd.DataFrame, item_ids: list[str] | tuple[str, ...]) -> int:
    return int((ans["item_id"].isin(item_ids) & ans["dont_know"]).sum())


def _item_medians(instrument: Instrument, ans: pd.DataFrame) -> dict[str, float]:
    real = ans[~ans["dont_know"]]
    med = real.groupby("item_id")["value"].median()
    return {str(k): float(v) for k, v in med.items()}


def _disagreement(instrument: Instrument, item: Item, values: pd.Series | np.ndarray) -> bool:
    if item.repeatable or len(values) < 2:
        return False
    scale = instrument.scale(item.scale)
    lo, hi = float(values.min()), float(values.max())
    if scale.step_of(hi) - scale.step_of(lo) >= 2:
        return True
    threshold = instrument.development_threshold(item.scale)
    return threshold is not None and lo <= threshold < hi


def _at_or_below(value: float, threshold: float | None) -> bool:
    return threshold is not None and not math.isnan(value) and value <= threshold + 1e-9


def item_summary(instrument: Instrument, answers: pd.DataFrame) -> pd.DataFrame:
    """One row per item in instrument order: counts, median, min, max, range, IQR, flags.

    Columns: item_id, section_id, label_sv, label_en, scale, success_factor, n_answers,
    n_dont_know, median, min, max, range, iqr, disagreement, development_area.
    """
    ans = prepare_answers(instrument, answers)
    # One grouping for all items (not one scan of every answer per item): a site's rounds hold thousands.
    real = ans[~ans["dont_know"]]
    values_by_item = {str(k): v.to_numpy(dtype=float) for k, v in real.groupby("item_id")["value"]}
    dont_know = ans.loc[ans["dont_know"], "item_id"].astype(str).value_counts()
    rows = []
    for item in instrument.items():
        every = values_by_item.get(item.id, np.empty(0))
        n = len(every)
        vals = every[~np.isnan(every)]
        known = len(vals) > 0
        median = float(np.median(vals)) if known else math.nan
        rows.append(
            {
                "item_id": item.id,
                "section_id": item.section_id,
                "label_sv": item.label.sv,
                "label_en": item.label.en,
                "scale": item.scale,
                "success_factor": item.success_factor,
                "n_answers": n,
                "n_dont_know": int(dont_know.get(item.id, 0)),
                "median": median,
                "min": float(vals.min()) if known else math.nan,
                "max": float(vals.max()) if known else math.nan,
                "range": float(vals.max() - vals.min()) if known else math.nan,
                "iqr": float(np.quantile(vals, 0.75) - np.quantile(vals, 0.25)) if known else math.nan,
                "disagreement": _disagreement(instrument, item, vals),
                "development_area": _at_or_below(median, instrument.development_threshold(item.scale)),
            }
        )
    return pd.DataFrame(rows)


def _factor_values(instrument: Instrument, ans: pd.DataFrame) -> list[dict]:
    medians = _item_medians(instrument, ans)
    # Answers and "vet ej" counted per item once, then summed per factor (not one scan per factor).
    dont_know = ans["dont_know"].astype(bool)
    n_values = ans.loc[~dont_know & ans["value"].notna(), "item_id"].value_counts().to_dict()
    n_dont_know = ans.loc[dont_know, "item_id"].value_counts().to_dict()
    rows = []
    for f in instrument.scoring.factors:
        answered = [medians[i] for i in f.items if i in medians]
        scale_id = instrument.item(f.items[0]).scale if f.items else ""
        value = float(np.mean(answered)) if answered else math.nan
        rows.append(
            {
                "factor_id": f.id,
                "label_sv": f.label.sv,
                "label_en": f.label.en,
                "scale": scale_id,
                "value": value,
                "n_items": len(f.items),
                "n_items_answered": len(answered),
                "n_answers": sum(int(n_values.get(i, 0)) for i in set(f.items)),
                "n_dont_know": sum(int(n_dont_know.get(i, 0)) for i in set(f.items)),
                "development_area": _at_or_below(value, instrument.development_threshold(scale_id)),
            }
        )
    return rows


_FACTOR_COLUMNS = [
    "factor_id", "label_sv", "label_en", "scale", "value", "n_items",
    "n_items_answered", "n_answers", "n_dont_know", "development_area",
]  # fmt: skip


def factor_profile(instrument: Instrument, answers: pd.DataFrame) -> pd.DataFrame:
    """One row per factor: ``value`` = mean of its item medians, with answered and "vet ej" counts."""
    ans = prepare_answers(instrument, answers)
    return pd.DataFrame(_factor_values(instrument, ans), columns=_FACTOR_COLUMNS)


def _indicator_row(
    instrument: Instrument, ind: DerivedIndicator, ans: pd.DataFrame, factors: list[dict]
) -> dict:
    value = math.nan
    if ind.kind in ("share_at_or_above", "normalised_sum"):
        item_ids = list(ind.items)
        n_answered = len(_values(ans, item_ids))
        n_dk = _n_dont_know(ans, item_ids)
        if ind.kind == "share_at_or_above":
            medians = _item_medians(instrument, ans)
            units: list[float] = []
            for iid in item_ids:
                if instrument.item(iid).repeatable:
                    units.extend(_values(ans, [iid]).tolist())  # each entry (e.g. measure) counts
                elif iid in medians:
                    units.append(medians[iid])
            n_units = len(units)
            assert ind.min_value is not None
            if units:
                value = sum(u >= ind.min_value - 1e-9 for u in units) / n_units
        else:
            vals = _values(ans, item_ids)
            scale = instrument.scale_of(item_ids[0]) if item_ids else None
            n_units = len(vals)
            if n_units and scale is not None:
                value = float((vals - scale.min).sum()) / ((scale.max - scale.min) * n_units)
    else:  # count_at_or_below
        chosen = [f for f in factors if f["factor_id"] in ind.factors]
        item_ids = [i for f in instrument.scoring.factors if f.id in ind.factors for i in f.items]
        n_answered = len(_values(ans, item_ids))
        n_dk = _n_dont_know(ans, item_ids)
        limit = ind.max_value
        if limit is None and chosen:
            limit = instrument.development_threshold(chosen[0]["scale"])
        with_value = [f for f in chosen if not math.isnan(f["value"])]
        n_units = len(with_value)
        if with_value:
            value = float(sum(_at_or_below(f["value"], limit) for f in with_value))
    cls = ind.classify(value)
    cls_label = next((c.label for c in ind.classes if c.id == cls), None)
    return {
        "id": ind.id,
        "label_sv": ind.label.sv,
        "label_en": ind.label.en,
        "kind": ind.kind,
        "value": value,
        "classification": cls,
        "classification_sv": cls_label.sv if cls_label else None,
        "classification_en": cls_label.en if cls_label else None,
        "n_units": n_units,
        "n_answered": n_answered,
        "n_dont_know": n_dk,
        "is_overall_index": ind.id == instrument.scoring.overall_index,
    }


_INDICATOR_COLUMNS = [
    "id", "label_sv", "label_en", "kind", "value", "classification", "classification_sv",
    "classification_en", "n_units", "n_answered", "n_dont_know", "is_overall_index",
]  # fmt: skip


def derived_indicators(instrument: Instrument, answers: pd.DataFrame) -> pd.DataFrame:
    """One row per derived indicator of the instrument, with its value and classification.

    ``n_units`` is what the value is computed over (items, entries, answers or factors, by kind);
    ``n_answered`` and ``n_dont_know`` count the answers in the indicator's items.
    """
    ans = prepare_answers(instrument, answers)
    factors = _factor_values(instrument, ans)
    rows = [_indicator_row(instrument, ind, ans, factors) for ind in instrument.scoring.indicators]
    return pd.DataFrame(rows, columns=_INDICATOR_COLUMNS)


def overall_index(instrument: Instrument, answers: pd.DataFrame) -> float | None:
    """The instrument's single index, or None when the instrument defines none (it is never invented)."""
    if instrument.scoring.overall_index is None:
        return None
    table = derived_indicators(instrument, answers)
    value = table.loc[table["id"] == instrument.scoring.overall_index, "value"].iloc[0]
    return None if math.isnan(value) else float(value)


def development_areas(instrument: Instrument, answers: pd.DataFrame) -> pd.DataFrame:
    """Factors, then items, whose value is at or below their scale's development threshold.

    Columns: level ("factor" | "item"), id, label_sv, label_en, value, threshold, n_dont_know.
    """
    ans = prepare_answers(instrument, answers)
    rows = []
    for f in _factor_values(instrument, ans):
        if f["development_area"]:
            rows.append(
                {
                    "level": "factor",
                    "id": f["factor_id"],
                    "label_sv": f["label_sv"],
                    "label_en": f["label_en"],
                    "value": f["value"],
                    "threshold": instrument.development_threshold(f["scale"]),
                    "n_dont_know": f["n_dont_know"],
                }
            )
    items = item_summary(instrument, ans)
    for r in items[items["development_area"]].to_dict("records"):
        rows.append(
            {
                "level": "item",
                "id": r["item_id"],
                "label_sv": r["label_sv"],
                "label_en": r["label_en"],
                "value": r["median"],
                "threshold": instrument.development_threshold(r["scale"]),
                "n_dont_know": r["n_dont_know"],
            }
        )
    return pd.DataFrame(
        rows, columns=["level", "id", "label_sv", "label_en", "value", "threshold", "n_dont_know"]
    )


def _levels(instrument: Instrument, answers: pd.DataFrame) -> pd.DataFrame:
    """Item medians, factor values and indicator values of one round in one long frame."""
    items = item_summary(instrument, answers)
    factors = factor_profile(instrument, answers)
    inds = derived_indicators(instrument, answers)
    frames = [
        pd.DataFrame(
            {
                "level": "item",
                "id": items["item_id"],
                "label_sv": items["label_sv"],
                "label_en": items["label_en"],
                "value": items["median"],
                "n_answered": items["n_answers"],
                "n_dont_know": items["n_dont_know"],
                "classification": None,
            }
        ),
        pd.DataFrame(
            {
                "level": "factor",
                "id": factors["factor_id"],
                "label_sv": factors["label_sv"],
                "label_en": factors["label_en"],
                "value": factors["value"],
                "n_answered": factors["n_answers"],
                "n_dont_know": factors["n_dont_know"],
                "classification": None,
            }
        ),
        pd.DataFrame(
            {
                "level": "indicator",
                "id": inds["id"],
                "label_sv": inds["label_sv"],
                "label_en": inds["label_en"],
                "value": inds["value"],
                "n_answered": inds["n_answered"],
                "n_dont_know": inds["n_dont_know"],
                "classification": inds["classification"],
            }
        ),
    ]
    return pd.concat([f for f in frames if len(f)], ignore_index=True)


def change_between_rounds(
    instrument: Instrument, answers_a: pd.DataFrame, answers_b: pd.DataFrame
) -> pd.DataFrame:
    """Per item, factor and indicator: value in round a, in round b, and ``change`` = b − a.

    Columns: level, id, label_sv, label_en, value_a, value_b, change, n_answered_a, n_answered_b,
    n_dont_know_a, n_dont_know_b, classification_a, classification_b. ``change`` is NA when either
    round has no value (e.g. only "vet ej" answers). Both rounds must use this same instrument
    version; across versions use ``revisions.change_across_versions``.
    """
    a = _levels(instrument, answers_a)
    b = _levels(instrument, answers_b)
    out = a[["level", "id", "label_sv", "label_en"]].copy()
    for col in ("value", "n_answered", "n_dont_know", "classification"):
        out[f"{col}_a"] = a[col].to_numpy()
        out[f"{col}_b"] = b[col].to_numpy()
    out["change"] = out["value_b"].astype(float) - out["value_a"].astype(float)
    return out[
        [
            "level", "id", "label_sv", "label_en", "value_a", "value_b", "change", "n_answered_a",
            "n_answered_b", "n_dont_know_a", "n_dont_know_b", "classification_a", "classification_b",
        ]
    ]  # fmt: skip
