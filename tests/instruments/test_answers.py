"""Responses and answers in the database: scale checks, Vet ej, drafts, submit, scoring, revisions, scoping."""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import select

from instruments.answers import (
    response_answers,
    round_answers_frame,
    save_answers,
    scores_table,
    site_scores,
    start_response,
    submit_response,
)
from instruments.rounds import create_round
from instruments.store import add_instrument_version
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.errors import AccessDenied, ConflictError, PersonalDataError, ValidationError, WorkbenchError
from pilots.models import Answer
from pilots.sites import add_site, create_pilot

SKELLEFTEA = CurrentUser(id=None, username="skelleftea", role="municipality", municipality_code="2482")
OREBRO = CurrentUser(id=None, username="orebro", role="municipality", municipality_code="1880")


@pytest.fixture
def setup(session, small_text):
    pilot = create_pilot(
        session,
        SYSTEM_USER,
        slug="p",
        name="Pilot",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2026, 12, 31),
    )
    site = add_site(session, SYSTEM_USER, pilot, "2482")
    other = add_site(session, SYSTEM_USER, pilot, "1880")
    version = add_instrument_version(session, SYSTEM_USER, small_text)
    rnd = create_round(session, SYSTEM_USER, site.id, version.id, "Nollmätning", date(2099, 3, 1))
    return {
        "pilot": pilot,
        "site": site,
        "other": other,
        "version": version,
        "round": rnd,
        "text": small_text,
    }


def test_out_of_scale_answers_are_refused_naming_item_and_scale(session, setup):
    resp = start_response(session, SKELLEFTEA, setup["round"].id, "Socialchef")
    with pytest.raises(ValidationError) as info:
        save_answers(session, SKELLEFTEA, resp.id, {"a": 3, "c": 9, "b": 1})
    by_where = {p.where: p.message for p in info.value.problems}
    assert set(by_where) == {"a", "c"}
    assert "0 (Nej), 1 (Delvis), 2 (Ja)" in by_where["a"]
    assert "4 (Återkommande)" in by_where["c"]
    assert session.scalar(select(Answer.id)) is None  # nothing saved, not even the valid b


def test_vet_ej_is_its_own_value_never_zero(session, setup):
    resp = start_response(session, SKELLEFTEA, setup["round"].id, "Socialchef")
    save_answers(session, SKELLEFTEA, resp.id, {"a": "vet_ej", "b": 0})
    stored = {a.item_id: (a.value, a.dont_know) for a in session.scalars(select(Answer))}
    assert stored == {"a": (None, True), "b": (0.0, False)}


def test_draft_resumes_and_submit_locks(session, setup):
    resp = start_response(session, SKELLEFTEA, setup["round"].id, "Rektor")
    save_answers(session, SKELLEFTEA, resp.id, {"a": 2}, evidence={"a": "Protokoll 2025-02-03"})
    save_answers(session, SKELLEFTEA, resp.id, {"b": 1}, comments={"b": "Delvis på plats"})
    resumed = response_answers(session, SKELLEFTEA, resp.id).set_index("item_id")
    assert resumed.loc["a", "value"] == 2 and resumed.loc["a", "evidence"] == "Protokoll 2025-02-03"
    assert resumed.loc["b", "comment"] == "Delvis på plats"
    save_answers(session, SKELLEFTEA, resp.id, {"a": None})  # clearing removes the value, keeps the evidence
    assert math.isnan(response_answers(session, SKELLEFTEA, resp.id).set_index("item_id").loc["a", "value"])
    submit_response(session, SKELLEFTEA, resp.id)
    with pytest.raises(WorkbenchError, match="inskickat och låst"):
        save_answers(session, SKELLEFTEA, resp.id, {"a": 0})
    with pytest.raises(WorkbenchError, match="inskickat och låst"):
        submit_response(session, SKELLEFTEA, resp.id)


def test_stale_save_is_refused(session, setup):
    resp = start_response(session, SKELLEFTEA, setup["round"].id, "Rektor")
    seen = resp.version
    save_answers(session, SKELLEFTEA, resp.id, {"a": 1}, expected_version=seen)
    with pytest.raises(ConflictError):
        save_answers(session, SKELLEFTEA, resp.id, {"a": 2}, expected_version=seen)


def test_personal_identity_number_in_evidence_is_refused(session, setup):
    resp = start_response(session, SKELLEFTEA, setup["round"].id, "Rektor")
    with pytest.raises(PersonalDataError) as info:
        save_answers(session, SKELLEFTEA, resp.id, {"a": 1}, comments={"a": "gäller 811218-9876"})
    assert info.value.problems[0].where == "a: kommentar"


def test_municipality_cannot_answer_another_municipalitys_round(session, setup):
    with pytest.raises(AccessDenied):
        start_response(session, OREBRO, setup["round"].id, "Socialchef")
    resp = start_response(session, SKELLEFTEA, setup["round"].id, "Socialchef")
    with pytest.raises(AccessDenied):
        save_answers(session, OREBRO, resp.id, {"a": 1})
    mfof = CurrentUser(id=None, username="mfof", role="mfof")
    with pytest.raises(AccessDenied):
        start_response(session, mfof, setup["round"].id, "MFoF")


def _answer(session, user, round_id, label, values, mode="individual"):
    resp = start_response(session, user, round_id, label, mode)
    save_answers(session, user, resp.id, values)
    submit_response(session, user, resp.id)
    return resp


def test_scores_from_database_equal_hand_worked_values(session, setup):
    rid = setup["round"].id
    _answer(session, SKELLEFTEA, rid, "R1", {"a": 2, "b": 1, "c": 3})
    _answer(session, SKELLEFTEA, rid, "R2", {"a": 0, "b": "vet_ej", "c": 4})
    _answer(session, SKELLEFTEA, rid, "Workshop", {"a": 2, "b": 2, "c": "vet_ej"}, mode="workshop")
    draft = start_response(session, SKELLEFTEA, rid, "Utkast")
    save_answers(session, SKELLEFTEA, draft.id, {"a": 0, "b": 0, "c": 0})

    frame = round_answers_frame(session, SKELLEFTEA, rid)
    assert sorted(frame["respondent"].unique()) == ["R1", "R2", "Workshop"]  # the draft is not counted
    assert set(frame.loc[frame["respondent"] == "Workshop", "mode"]) == {"workshop"}

    scores = site_scores(session, SKELLEFTEA, setup["site"].id, "liten")
    (rnd,) = scores.rounds
    assert (rnd.n_respondents, rnd.n_workshops) == (3, 1)
    items = rnd.items.set_index("item_id")
    # a: 2, 0, 2 -> median 2, two steps apart -> disagreement
    assert items.loc["a", "median"] == 2 and bool(items.loc["a", "disagreement"])
    # b: 1, 2 and one Vet ej -> median 1.5, straddles threshold 1 -> disagreement
    assert items.loc["b", "median"] == 1.5 and items.loc["b", "n_dont_know"] == 1
    assert bool(items.loc["b", "disagreement"])
    # c: 3, 4 and one Vet ej -> median 3.5, no disagreement
    assert items.loc["c", "median"] == 3.5 and not bool(items.loc["c", "disagreement"])
    assert rnd.factors.set_index("factor_id").loc["f1", "value"] == pytest.approx(1.75)
    ind = rnd.indicators.set_index("id").loc["sys"]
    assert ind["value"] == pytest.approx(7 / 10) and ind["classification"] == "lag"
    table = scores_table(scores)
    assert table.loc[(table["level"] == "factor") & (table["id"] == "f1"), "value"].iloc[0] == pytest.approx(
        1.75
    )


def test_old_answers_still_score_after_a_new_version(session, setup):
    rid = setup["round"].id
    _answer(session, SKELLEFTEA, rid, "R1", {"a": 0, "b": 1, "c": 1})
    v2_text = (
        setup["text"].replace('version: "1.0.0"', 'version: "2.0.0"').replace('"Text c"', '"Ny text c"', 1)
    )
    v2 = add_instrument_version(session, SYSTEM_USER, v2_text)
    follow = create_round(session, SYSTEM_USER, setup["site"].id, v2.id, "Uppföljning 1", date(2099, 9, 1))
    _answer(session, SKELLEFTEA, follow.id, "R1", {"a": 2, "b": 2, "c": 3})
    scores = site_scores(session, SKELLEFTEA, setup["site"].id, "liten")
    assert [r.instrument.version for r in scores.rounds] == ["1.0.0", "2.0.0"]
    assert scores.rounds[0].items.set_index("item_id").loc["c", "median"] == 1  # old answers read as given
    ((before, after, change),) = scores.changes
    assert (before, after) == ("Nollmätning", "Uppföljning 1")
    # c's text changed without a declaration: not comparable, so only a and b show change
    assert change.set_index("id")["change"].to_dict() == {"a": 2.0, "b": 1.0}


def test_repeatable_entries_are_stored_per_entry(session, setup):
    text = (
        setup["text"]
        .replace('version: "1.0.0"', 'version: "3.0.0"')
        .replace(
            "scale: STEG5, success_factor: steg}", "scale: STEG5, success_factor: steg, repeatable: true}"
        )
    )
    v3 = add_instrument_version(session, SYSTEM_USER, text)
    rnd = create_round(session, SYSTEM_USER, setup["site"].id, v3.id, "Med poster", date(2099, 9, 1))
    resp = start_response(session, SKELLEFTEA, rnd.id, "R1")
    save_answers(session, SKELLEFTEA, resp.id, {"c#1": 4, "c#2": 2}, comments={"c#1": "Föräldraträffar"})
    with pytest.raises(ValidationError, match="har inte flera poster"):
        save_answers(session, SKELLEFTEA, resp.id, {"a#1": 1})
    submit_response(session, SKELLEFTEA, resp.id)
    frame = round_answers_frame(session, SKELLEFTEA, rnd.id)
    assert sorted(frame.loc[frame["item_id"] == "c", "value"]) == [2.0, 4.0]


def test_scores_follow_a_new_submission_and_stay_scoped(session, setup):
    rid = setup["round"].id
    _answer(session, SKELLEFTEA, rid, "R1", {"a": 2, "b": 1, "c": 3})
    first = site_scores(session, SKELLEFTEA, setup["site"].id, "liten")
    assert first.rounds[0].n_respondents == 1
    _answer(session, SKELLEFTEA, rid, "R2", {"a": 0, "b": 1, "c": 3})
    again = site_scores(session, SKELLEFTEA, setup["site"].id, "liten")
    assert again.rounds[0].n_respondents == 2  # scores kept between reads are dropped by the new answers
    assert again.rounds[0].items.set_index("item_id").loc["a", "median"] == 1
    with pytest.raises(AccessDenied):
        site_scores(session, OREBRO, setup["site"].id, "liten")  # access is asked before any kept scores
