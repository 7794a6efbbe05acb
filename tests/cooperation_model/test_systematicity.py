"""Systematicity of forums from a tiny hand-made meeting log, expected shares computed by hand."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from cooperation_model.systematicity import (
    classification_label,
    classify,
    forum_systematicity,
    systematicity_evidence,
)
from pilots.errors import ValidationError


def _forums() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "forum_id": [1, 2, 3],
            "site_id": [7, 7, 8],
            "name": ["SSPF arbetsgrupp Öster", "Styrgrupp TryggVäxt", "Nätverk föräldraskapsstöd"],
            "purpose": ["Tidiga insatser för unga", None, "Samordna föräldraskapsstöd"],
            "level": ["operativ", "strategisk", "operativ"],
            "cadence": ["veckovis", "manadsvis", "kvartalsvis"],
            "convener_actor_id": [1, None, 2],
            "documenter_actor_id": [2, None, 2],
            "follow_up_actor_id": [None, None, 2],
        }
    )


def _meetings() -> pd.DataFrame:
    rows = [
        # forum 1, weekly: 8, 15, 22 Jan, then a three-week gap to 12 Feb.
        (11, 1, date(2024, 1, 8), "Genomgång av ärenden", 1, 2, "Beslut om insatser"),
        (12, 1, date(2024, 1, 15), "Uppföljning", 1, None, "Beslut om hembesök"),  # no documenter
        (13, 1, date(2024, 1, 22), "Planering", 1, 2, "Beslut om sommarlov"),
        (14, 1, date(2024, 2, 12), "  ", 1, 2, None),  # blank purpose, no decisions
        # forum 3, quarterly, complete.
        (31, 3, date(2024, 1, 15), "Kvartalsmöte", 2, 2, "Beslut"),
        (32, 3, date(2024, 4, 15), "Kvartalsmöte", 2, 2, "Beslut"),
        (33, 3, date(2024, 7, 15), "Kvartalsmöte", 2, 2, "Beslut"),
    ]
    return pd.DataFrame(rows, columns=["meeting_id", "forum_id", "date", "purpose", "convened_by",
                                       "documented_by", "decisions"])


def _actions() -> pd.DataFrame:
    rows = [
        (101, 11, 3, date(2024, 1, 15), "done", 12),  # reviewed at the next meeting
        (102, 11, 4, date(2024, 1, 15), "open", None),  # never reviewed
        (103, 12, 3, date(2024, 1, 22), "done", 14),  # reviewed, but two meetings later
        (104, 14, 3, date(2024, 3, 1), "open", None),  # no later meeting yet: not due
        (301, 31, 2, date(2024, 3, 1), "done", 32),
    ]
    return pd.DataFrame(rows, columns=["action_id", "meeting_id", "owner_actor_id", "due_date", "status",
                                       "followed_up_at_meeting_id"])


def _attendance() -> pd.DataFrame:
    rows = [(11, 1, True, True), (11, 2, True, True), (11, 3, True, True),
            (12, 1, True, True), (12, 2, True, False), (12, 3, True, True)]
    return pd.DataFrame(rows, columns=["meeting_id", "actor_id", "invited", "attended"])


def _result(**window: str) -> pd.DataFrame:
    return forum_systematicity(_forums(), _meetings(), _attendance(), _actions(), **window).set_index(
        "forum_id")


def test_forum_with_gaps_is_partly_systematic_with_hand_computed_shares() -> None:
    r = _result().loc[1]
    assert r["n_meetings"] == 4
    # Intervals 7, 7, 21 days; on time when ≤ 1.5 × 7 = 10.5 -> 2 of 3.
    assert r["interval_share"] == pytest.approx(2 / 3)
    # Span 8 Jan .. 12 Feb plus one interval = 42 days -> 6 expected weekly meetings, 4 held.
    assert r["expected_meetings"] == pytest.approx(6)
    assert r["coverage"] == pytest.approx(4 / 6)
    assert r["regularity"] == pytest.approx(2 / 3)
    assert r["share_purpose"] == pytest.approx(3 / 4)  # blank purpose does not count
    assert r["share_convener"] == pytest.approx(1.0)
    assert r["share_documenter"] == pytest.approx(3 / 4)
    assert r["share_decisions"] == pytest.approx(3 / 4)
    # Actions with a later meeting: 101, 102, 103. Reviewed at the very next meeting: only 101.
    assert r["n_actions_due"] == 3
    assert r["share_followed_up"] == pytest.approx(1 / 3)
    assert r["share_followed_up_later"] == pytest.approx(2 / 3)
    # (2/3 + 3/4 + 1 + 3/4 + 3/4 + 1/3) / 6 = 4.25 / 6
    assert r["score"] == pytest.approx(4.25 / 6)
    assert r["classification"] == "delvis systematisk"
    assert r["attendance_rate"] == pytest.approx(5 / 6)
    assert r["mean_attendees"] == pytest.approx(5 / 4)
    assert r["forum_purpose_stated"] and r["forum_roles_named"] == 2


def test_evidence_lists_which_meeting_lacked_what() -> None:
    ev = systematicity_evidence(_forums(), _meetings(), _attendance(), _actions())
    got = [(r.meeting_id, r.missing, None if pd.isna(r.action_id) else r.action_id)
           for r in ev[ev["forum_id"] == 1].itertuples()]
    assert got == [
        (12, "documenter", None),
        (12, "follow_up", 102),  # 102 from meeting 11 should have been reviewed at 12
        (13, "follow_up", 103),  # 103 from meeting 12 was reviewed only at 14
        (14, "purpose", None),
        (14, "decisions", None),
    ]
    assert ev.loc[ev["meeting_id"] == 13, "date"].iloc[0] == pd.Timestamp("2024-01-22")
    per_forum = _result().loc[1, "evidence"]
    assert len(per_forum) == 5 and per_forum[1] == {
        "meeting_id": 12, "date": pd.Timestamp("2024-01-15"), "missing": "follow_up", "action_id": 102}


def test_complete_quarterly_forum_is_systematic() -> None:
    r = _result().loc[3]
    assert r["interval_share"] == pytest.approx(1.0)  # 91 days ≤ 1.5 × 91.3
    assert r["coverage"] == pytest.approx(1.0)  # 3 held, 273.3 / 91.3 ≈ 2.99 expected, capped at 1
    assert r["share_followed_up"] == pytest.approx(1.0)
    assert r["score"] == pytest.approx(1.0)
    assert r["classification"] == "systematisk"
    assert r["evidence"] == []
    assert math.isnan(r["attendance_rate"]) and math.isnan(r["mean_attendees"])  # none logged


def test_forum_without_meetings_is_reported_not_an_error() -> None:
    r = _result().loc[2]
    assert r["n_meetings"] == 0
    assert math.isnan(r["score"])
    assert r["classification"] == "inga möten"
    assert r["evidence"] == []
    assert not r["forum_purpose_stated"] and r["forum_roles_named"] == 0


def test_window_limits_meetings_and_sets_expected_count() -> None:
    r = _result(start="2024-01-01", end="2024-01-31").loc[1]
    assert r["n_meetings"] == 3
    assert r["interval_share"] == pytest.approx(1.0)  # 7 and 7 days
    assert r["expected_meetings"] == pytest.approx(31 / 7)  # 31-day window
    assert r["coverage"] == pytest.approx(3 / (31 / 7))
    # Actions 101, 102 (meeting 11) and 103 (meeting 12) are due; the next meeting is looked up in
    # the whole log. Only 101 was reviewed at the next meeting.
    assert r["share_followed_up"] == pytest.approx(1 / 3)
    # Forum 3 has only its 15 January meeting in the window; no interval, its action is due at 32.
    r3 = _result(start="2024-01-01", end="2024-01-31").loc[3]
    assert r3["n_meetings"] == 1 and math.isnan(r3["interval_share"])
    assert r3["regularity"] == pytest.approx(1.0)  # one quarterly meeting expected in 31 days


def test_forum_without_cadence_is_scored_on_the_other_components() -> None:
    forums = _forums()
    forums.loc[forums["forum_id"] == 3, "cadence"] = None
    r = forum_systematicity(forums, _meetings(), _attendance(), _actions()).set_index("forum_id").loc[3]
    assert math.isnan(r["regularity"])
    assert r["n_score_components"] == 5
    assert r["score"] == pytest.approx(1.0)


def test_thresholds_mirror_the_self_assessment() -> None:
    assert classify(0.75) == "systematisk"
    assert classify(0.7499) == "delvis systematisk"
    assert classify(0.4) == "delvis systematisk"
    assert classify(0.3999) == "inte systematisk"
    assert classify(float("nan")) == "inga möten"
    assert classification_label("delvis systematisk", "en") == "Partly systematic"
    assert classification_label("inga möten") == "Inga möten"


def test_bad_input_lists_every_problem() -> None:
    forums = _forums()
    forums.loc[0, "cadence"] = "dagligen"
    meetings = pd.concat([_meetings(), pd.DataFrame([{"meeting_id": 99, "forum_id": 42,
                                                      "date": date(2024, 1, 1)}])])
    with pytest.raises(ValidationError) as info:
        forum_systematicity(forums, meetings, _attendance(), _actions())
    assert len(info.value.problems) == 2
    assert "dagligen" in str(info.value) and "42" in str(info.value)
    with pytest.raises(ValidationError, match="decisions"):
        forum_systematicity(_forums(), _meetings().drop(columns=["decisions"]), _attendance(), _actions())


def test_meeting_times_do_not_shift_the_expected_count() -> None:
    meetings = _meetings()
    meetings["date"] = pd.to_datetime(meetings["date"]) + pd.Timedelta(hours=13)
    r = forum_systematicity(_forums(), meetings, _attendance(), _actions(), end="2024-02-12").set_index(
        "forum_id").loc[1]
    assert r["n_meetings"] == 4  # the 13:00 meeting on the end date is inside the window
    # 8 Jan 00:00 to the end of 12 Feb = 36 days -> 36/7 expected weekly meetings.
    assert r["expected_meetings"] == pytest.approx(36 / 7)
