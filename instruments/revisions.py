"""Instrument revisions: what changed between two versions, and which items may be compared across them.

Comparison rule: an item in the new version is comparable with an item in the old version when

- it declares ``equivalent_to: {version: <old version>, item: <old item id>}`` (the author vouches
  that the answers mean the same; the scales must still have the same values), or
- it has the same id, the same Swedish text and the same scale values and labels as in the old
  version (nothing changed, so there is nothing to declare).

An item whose text or scale changed without a declaration is *not* comparable: its answers start a
new series.
"""

from __future__ import annotations

import math

import pandas as pd

from instruments.schema import Instrument, Item, Scale
from instruments.scoring import item_summary
from pilots.errors import Problem, ValidationError

DIFF_COLUMNS = ["change", "item_id", "old_item_id", "detail", "comparable"]


def _scale_signature(scale: Scale) -> tuple[tuple[int, str], ...]:
    return tuple(sorted((v.value, v.label.sv) for v in scale.values))


def _declared(new: Instrument, old: Instrument) -> dict[str, str]:
    """new item id -> old item id, for equivalences declared against ``old.version``."""
    out: dict[str, str] = {}
    problems: list[Problem] = []
    old_ids = set(old.item_ids())
    for item in new.items():
        for eq in item.equivalent_to:
            if eq.version != old.version:
                continue
            where = f"{new.id} {new.version}: item {item.id}.equivalent_to"
            if eq.item not in old_ids:
                problems.append(Problem(where, f'no item "{eq.item}" in version {old.version}'))
                continue
            old_scale, new_scale = old.scale_of(eq.item), new.scale(item.scale)
            if old_scale.allowed_values() != new_scale.allowed_values():
                problems.append(
                    Problem(
                        where,
                        f"declared equivalent to {eq.item} in {old.version}, but the scales differ "
                        f"({old_scale.allowed_values()} vs {new_scale.allowed_values()}); "
                        "answers cannot be compared",
                    )
                )
                continue
            out[item.id] = eq.item
    if problems:
        raise ValidationError(problems)
    return out


def _same_series(old: Instrument, old_item: Item, new: Instrument, new_item: Item) -> bool:
    return old_item.text.sv == new_item.text.sv and _scale_signature(
        old.scale(old_item.scale)
    ) == _scale_signature(new.scale(new_item.scale))


def comparable_items(old: Instrument, new: Instrument) -> list[tuple[str, str]]:
    """Pairs (old item id, new item id) whose answers may be compared across the two versions."""
    if old.id != new.id:
        raise ValidationError(Problem("", f"cannot compare different instruments: {old.id} and {new.id}"))
    declared = _declared(new, old)
    old_items = {i.id: i for i in old.items()}
    pairs: list[tuple[str, str]] = []
    for item in new.items():
        if item.id in declared:
            pairs.append((declared[item.id], item.id))
        elif item.id in old_items and _same_series(old, old_items[item.id], new, item):
            pairs.append((item.id, item.id))
    return pairs


def diff_versions(old: Instrument, new: Instrument) -> pd.DataFrame:
    """Item changes from ``old`` to ``new``: one row per change.

    ``change`` is one of: added, removed, replaced (new item declared equivalent to an old item with
    another id), text_changed, label_changed, scale_changed, moved (other section). ``comparable``
    says whether answers to the item can be compared across the two versions.
    """
    comparable = {n: o for o, n in comparable_items(old, new)}
    declared = _declared(new, old)
    old_items = {i.id: i for i in old.items()}
    new_items = {i.id: i for i in new.items()}
    rows: list[dict] = []

    def add(change: str, item_id: str | None, old_id: str | None, detail: str) -> None:
        ok = item_id is not None and comparable.get(item_id) == old_id and old_id is not None
        rows.append(
            {"change": change, "item_id": item_id, "old_item_id": old_id, "detail": detail, "comparable": ok}
        )

    for item in new.items():
        old_id = declared.get(item.id, item.id if item.id in old_items else None)
        if old_id is None:
            add("added", item.id, None, item.text.sv)
            continue
        before = old_items[old_id]
        if old_id != item.id:
            add("replaced", item.id, old_id, f"declared equivalent to {old_id} in {old.version}")
        for lang in ("sv", "en"):
            if getattr(before.text, lang) != getattr(item.text, lang):
                add(
                    "text_changed",
                    item.id,
                    old_id,
                    f"{lang}: {getattr(before.text, lang)!r} → {getattr(item.text, lang)!r}",
                )
            if getattr(before.label, lang) != getattr(item.label, lang):
                add(
                    "label_changed",
                    item.id,
                    old_id,
                    f"{lang}: {getattr(before.label, lang)!r} → {getattr(item.label, lang)!r}",
                )
        old_sig, new_sig = _scale_signature(old.scale(before.scale)), _scale_signature(new.scale(item.scale))
        if before.scale != item.scale or old_sig != new_sig:
            shown_old = ", ".join(f"{v}={t}" for v, t in old_sig)
            shown_new = ", ".join(f"{v}={t}" for v, t in new_sig)
            add(
                "scale_changed", item.id, old_id, f"{before.scale} [{shown_old}] → {item.scale} [{shown_new}]"
            )
        if before.section_id != item.section_id:
            add("moved", item.id, old_id, f"section {before.section_id} → {item.section_id}")
    still_used = set(declared.values()) | set(new_items)
    for item in old.items():
        if item.id not in still_used:
            add("removed", None, item.id, item.text.sv)
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def change_across_versions(
    old: Instrument, new: Instrument, answers_old: pd.DataFrame, answers_new: pd.DataFrame
) -> pd.DataFrame:
    """Item medians in a round on ``old`` and a round on ``new``, for comparable items only.

    Columns: old_item_id, item_id, label_sv, label_en, value_a, value_b, change, n_dont_know_a,
    n_dont_know_b. Factors and indicators are not compared across versions because their
    definitions may differ; compare them within one version with ``scoring.change_between_rounds``.
    """
    a = item_summary(old, answers_old).set_index("item_id")
    b = item_summary(new, answers_new).set_index("item_id")
    rows = []
    for old_id, new_id in comparable_items(old, new):
        va, vb = float(a.at[old_id, "median"]), float(b.at[new_id, "median"])
        rows.append(
            {
                "old_item_id": old_id,
                "item_id": new_id,
                "label_sv": b.at[new_id, "label_sv"],
                "label_en": b.at[new_id, "label_en"],
                "value_a": va,
                "value_b": vb,
                "change": vb - va if not (math.isnan(va) or math.isnan(vb)) else math.nan,
                "n_dont_know_a": int(a.at[old_id, "n_dont_know"]),
                "n_dont_know_b": int(b.at[new_id, "n_dont_know"]),
            }
        )
    columns = [
        "old_item_id",
        "item_id",
        "label_sv",
        "label_en",
        "value_a",
        "value_b",
        "change",
        "n_dont_know_a",
        "n_dont_know_b",
    ]
    return pd.DataFrame(rows, columns=columns)
