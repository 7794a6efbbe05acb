"""How systematic each cooperation forum is, judged from its meeting log, with the evidence.

MFoF calls cooperation systematic when it is an implemented activity with recurring meetings, a
clear purpose, and it is stated who convenes, documents and follows up. This module measures that
from the log (meetings, attendance, actions) rather than from a self-assessment; the score and the
0.75 / 0.4 thresholds mirror the self-assessed instrument ``samverkan-systematik``. The rules are
written out in docs/metrics.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from cooperation_model.network import (
    ACTION_COLUMNS,
    ATTENDANCE_COLUMNS,
    DateLike,
    as_timestamp,
    dated,
    in_window,
    require_columns,
)
from pilots.errors import Problem, ValidationError

CADENCE_DAYS: dict[str, float] = {
    "veckovis": 7.0,
    "varannan_vecka": 14.0,
    "manadsvis": 365.25 / 12,
    "kvartalsvis": 365.25 / 4,
}
"""Intended interval between meetings, in days, per cadence."""

INTERVAL_TOLERANCE = 1.5
"""An interval counts as on time when it is at most this many intended intervals long."""

SYSTEMATIC_THRESHOLD = 0.75
PARTLY_THRESHOLD = 0.4

SYSTEMATIC = "systematisk"
PARTLY = "delvis systematisk"
NOT_SYSTEMATIC = "inte systematisk"
NO_MEETINGS = "inga möten"

CLASSIFICATION_LABELS: dict[str, dict[str, str]] = {
    "sv": {SYSTEMATIC: "Systematisk", PARTLY: "Delvis systematisk", NOT_SYSTEMATIC: "Inte systematisk",
           NO_MEETINGS: "Inga möten"},
    "en": {SYSTEMATIC: "Systematic", PARTLY: "Partly systematic", NOT_SYSTEMATIC: "Not systematic",
           NO_MEETINGS: "No meetings"},
}

MISSING_KINDS: tuple[str, ...] = ("purpose", "convener", "documenter", "decisions", "follow_up")
"""What a meeting can lack, in the order evidence lists them."""

SCORE_COMPONENTS: tuple[str, ...] = (
    "regularity",
    "share_purpose",
    "share_convener",
    "share_documenter",
    "share_decisions",
    "share_followed_up",
)
"""The score is the plain mean of those of these that are defined for the forum."""

EVIDENCE_COLUMNS: tuple[str, ...] = ("forum_id", "meeting_id", "date", "missing", "action_id")

_FORUM_REQUIRED = ("forum_id", "name", "purpose", "cadence", "convener_actor_id", "documenter_actor_id",
                   "follow_up_actor_id")
_MEETING_REQUIRED = ("meeting_id", "forum_id", "date", "purpose", "convened_by", "documented_by", "decisions")


def classify(score: float) -> str:
    """systematisk (≥ 0.75), delvis systematisk (≥ 0.4), inte systematisk; NaN -> inga möten."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return NO_MEETINGS
    if score >= SYSTEMATIC_THRESHOLD:
        return SYSTEMATIC
    if score >= PARTLY_THRESHOLD:
        return PARTLY
    return NOT_SYSTEMATIC


def classification_label(classification: str, lang: str = "sv") -> str:
    """Display label of a classification code in Swedish (default) or English."""
    labels = CLASSIFICATION_LABELS.get(lang)
    if labels is None:
        raise ValidationError(Problem("lang", f"'{lang}' is not supported; expected sv or en"))
    return labels.get(classification, classification)


def _has_text(values: pd.Series) -> pd.Series:
    return values.map(lambda v: isinstance(v, str) and v.strip() != "").astype(bool)


def _validate(forums: pd.DataFrame, meetings: pd.DataFrame, attendance: pd.DataFrame,
              actions: pd.DataFrame) -> None:
    require_columns(
        {"forums": forums, "meetings": meetings, "attendance": attendance, "actions": actions},
        {"forums": _FORUM_REQUIRED, "meetings": _MEETING_REQUIRED, "attendance": ATTENDANCE_COLUMNS,
         "actions": ACTION_COLUMNS},
    )
    problems = [
        Problem(f"forums, row {i}, column cadence",
                f"unknown cadence '{c}'; expected one of {', '.join(CADENCE_DAYS)} or empty")
        for i, c in forums["cadence"].items()
        if not pd.isna(c) and c not in CADENCE_DAYS
    ]
    unknown = sorted(set(meetings["forum_id"].dropna()) - set(forums["forum_id"]))
    if unknown:
        problems.append(Problem("meetings, column forum_id",
                                f"forum id(s) not in the forums table: {', '.join(map(str, unknown[:20]))}"))
    if problems:
        raise ValidationError(problems)


def _assess(
    forums: pd.DataFrame,
    meetings: pd.DataFrame,
    attendance: pd.DataFrame,
    actions: pd.DataFrame,
    start: DateLike,
    end: DateLike,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-forum table without the evidence column, evidence rows)."""
    _validate(forums, meetings, attendance, actions)
    every = dated(meetings).sort_values(["forum_id", "date", "meeting_id"])
    # The next meeting is looked for in the whole log: an action from the window's last meeting
    # may be reviewed just after the window.
    every["next_meeting_id"] = every.groupby("forum_id")["meeting_id"].shift(-1)
    m = in_window(every, start, end).copy()
    m["has_purpose"] = _has_text(m["purpose"])
    m["has_convener"] = m["convened_by"].notna()
    m["has_documenter"] = m["documented_by"].notna()
    m["has_decisions"] = _has_text(m["decisions"])

    f = forums.set_index("forum_id")
    interval = f["cadence"].map(CADENCE_DAYS).astype(float)  # NaN where no cadence is stated
    g = m.groupby("forum_id")
    out = pd.DataFrame(index=f.index)
    out["n_meetings"] = g.size().reindex(f.index, fill_value=0).astype(int)
    out["first_meeting"] = g["date"].min().reindex(f.index)
    out["last_meeting"] = g["date"].max().reindex(f.index)

    # Regularity: intervals within tolerance, and coverage of the expected number of meetings.
    gaps = g["date"].diff().dt.total_seconds() / 86400
    on_time = gaps <= INTERVAL_TOLERANCE * m["forum_id"].map(interval)
    on_time = on_time.where(gaps.notna() & m["forum_id"].map(interval).notna())
    out["interval_share"] = on_time.groupby(m["forum_id"]).mean().reindex(f.index)
    lo_given, hi_given = as_timestamp(start, "start"), as_timestamp(end, "end")
    # Whole days: a meeting logged at 10:00 still counts from the start of its day.
    lo = pd.Series(lo_given.normalize(), index=f.index) if lo_given is not None else (
        out["first_meeting"].dt.normalize())
    if hi_given is not None:
        hi_exclusive = pd.Series(hi_given.normalize() + pd.Timedelta(days=1), index=f.index)
    else:
        hi_exclusive = out["last_meeting"].dt.normalize() + pd.to_timedelta(interval, unit="D")
    window_days = (hi_exclusive - lo).dt.total_seconds() / 86400
    out["expected_meetings"] = np.maximum(window_days / interval, 1.0)
    out.loc[out["n_meetings"] == 0, "expected_meetings"] = np.nan
    out["coverage"] = np.minimum(out["n_meetings"] / out["expected_meetings"], 1.0)
    out["regularity"] = out[["interval_share", "coverage"]].mean(axis=1, skipna=True)

    for flag, column in (("has_purpose", "share_purpose"), ("has_convener", "share_convener"),
                         ("has_documenter", "share_documenter"), ("has_decisions", "share_decisions")):
        out[column] = g[flag].mean().reindex(f.index)

    # Follow-up: actions from a meeting in the window that has a later meeting in the forum.
    a = actions.merge(m[["meeting_id", "forum_id", "next_meeting_id"]], on="meeting_id", how="inner")
    a = a[a["next_meeting_id"].notna()].copy()
    a["at_next"] = a["followed_up_at_meeting_id"].eq(a["next_meeting_id"]) & a[
        "followed_up_at_meeting_id"].notna()
    a["at_any"] = a["followed_up_at_meeting_id"].notna()
    ga = a.groupby("forum_id")
    out["n_actions_due"] = ga.size().reindex(f.index, fill_value=0).astype(int)
    out["share_followed_up"] = ga["at_next"].mean().reindex(f.index)
    out["share_followed_up_later"] = ga["at_any"].mean().reindex(f.index)

    att = attendance.merge(m[["meeting_id", "forum_id"]], on="meeting_id", how="inner")
    invited = att.groupby("forum_id")["invited"].sum().reindex(f.index, fill_value=0)
    attended = att.groupby("forum_id")["attended"].sum().reindex(f.index, fill_value=0)
    out["attendance_rate"] = (attended / invited.where(invited > 0)).astype(float)
    logged = att.groupby("forum_id").size().reindex(f.index, fill_value=0)
    out["mean_attendees"] = (attended / out["n_meetings"].where(logged > 0)).astype(float)

    out["forum_purpose_stated"] = _has_text(f["purpose"])
    out["forum_roles_named"] = f[["convener_actor_id", "documenter_actor_id",
                                  "follow_up_actor_id"]].notna().sum(axis=1).astype(int)
    components = out[list(SCORE_COMPONENTS)]
    out["n_score_components"] = components.notna().sum(axis=1).astype(int)
    out["score"] = components.mean(axis=1, skipna=True)
    out.loc[out["n_meetings"] == 0, "score"] = np.nan
    out["classification"] = out["score"].map(classify)

    head = forums.set_index("forum_id")[[c for c in ("site_id", "name", "level", "cadence")
                                         if c in forums.columns]]
    table = head.join(out).reset_index()

    evidence = _evidence(m, a, every)
    return table, evidence


def _evidence(m: pd.DataFrame, due_actions: pd.DataFrame, every: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for kind, flag in (("purpose", "has_purpose"), ("convener", "has_convener"),
                       ("documenter", "has_documenter"), ("decisions", "has_decisions")):
        lacking = m.loc[~m[flag], ["forum_id", "meeting_id", "date"]].assign(missing=kind, action_id=pd.NA)
        parts.append(lacking)
    # A missed follow-up is held against the next meeting, the one that should have reviewed it.
    missed = due_actions.loc[~due_actions["at_next"], ["forum_id", "next_meeting_id", "action_id"]]
    missed = missed.rename(columns={"next_meeting_id": "meeting_id"})
    missed["meeting_id"] = missed["meeting_id"].astype(every["meeting_id"].dtype)
    missed = missed.merge(every[["meeting_id", "date"]], on="meeting_id").assign(missing="follow_up")
    parts.append(missed)
    ev = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else (
        pd.DataFrame(columns=list(EVIDENCE_COLUMNS)))
    ev["_order"] = ev["missing"].map({k: i for i, k in enumerate(MISSING_KINDS)})
    ev = ev.sort_values(["forum_id", "date", "meeting_id", "_order", "action_id"], na_position="first")
    return ev[list(EVIDENCE_COLUMNS)].reset_index(drop=True)


def forum_systematicity(
    forums: pd.DataFrame,
    meetings: pd.DataFrame,
    attendance: pd.DataFrame,
    actions: pd.DataFrame,
    start: DateLike = None,
    end: DateLike = None,
) -> pd.DataFrame:
    """One row per forum: how systematic its meetings in [start, end] were.

    Columns: forum_id, site_id, name, level, cadence, n_meetings, first_meeting, last_meeting,
    expected_meetings, coverage, interval_share, regularity, share_purpose, share_convener,
    share_documenter, share_decisions, n_actions_due, share_followed_up, share_followed_up_later,
    attendance_rate, mean_attendees, forum_purpose_stated, forum_roles_named, n_score_components,
    score (0..1, NaN without meetings), classification (systematisk | delvis systematisk |
    inte systematisk | inga möten) and evidence (list of {meeting_id, date, missing, action_id}).
    """
    table, evidence = _assess(forums, meetings, attendance, actions, start, end)
    by_forum: dict[Any, list[dict[str, Any]]] = {}
    for row in evidence.to_dict("records"):
        forum_id = row.pop("forum_id")
        row["action_id"] = None if pd.isna(row["action_id"]) else int(row["action_id"])
        by_forum.setdefault(forum_id, []).append(row)
    table["evidence"] = [by_forum.get(fid, []) for fid in table["forum_id"]]
    return table


def systematicity_evidence(
    forums: pd.DataFrame,
    meetings: pd.DataFrame,
    attendance: pd.DataFrame,
    actions: pd.DataFrame,
    start: DateLike = None,
    end: DateLike = None,
) -> pd.DataFrame:
    """Which meetings lacked what: forum_id, meeting_id, date, missing, action_id.

    ``missing`` is purpose, convener, documenter, decisions or follow_up. A follow_up row names the
    action (action_id) that the meeting, being the next one after the action was agreed, did not
    review.
    """
    return _assess(forums, meetings, attendance, actions, start, end)[1]
