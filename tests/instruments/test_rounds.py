"""Measurement rounds: who may create them, duplicate labels, and the due/open/done/upcoming state."""

from __future__ import annotations

from datetime import date

import pytest

from instruments.answers import save_answers, start_response, submit_response
from instruments.invitations import create_invitation, open_invitation
from instruments.rounds import (
    create_round,
    find_round,
    round_site_ids,
    round_state,
    rounds_frame,
    set_round_status,
)
from instruments.store import add_instrument_version
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.errors import AccessDenied, ValidationError, WorkbenchError
from pilots.sites import add_site, create_pilot

TODAY = date(2025, 6, 1)


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
    other_pilot = create_pilot(
        session,
        SYSTEM_USER,
        slug="q",
        name="Annan",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2026, 12, 31),
    )
    site = add_site(session, SYSTEM_USER, pilot, "2482")
    other = add_site(session, SYSTEM_USER, other_pilot, "1880")
    version = add_instrument_version(session, SYSTEM_USER, small_text)
    return {"pilot": pilot, "site": site, "other": other, "version": version}


def test_state_rules():
    assert round_state("closed", date(2025, 7, 1), None, 0, 0, TODAY) == "done"
    assert (
        round_state("open", date(2025, 7, 1), date(2025, 5, 31), 0, 0, TODAY) == "done"
    )  # closing date passed
    assert round_state("open", date(2025, 7, 1), None, 2, 2, TODAY) == "done"  # every invitation answered
    assert round_state("open", date(2025, 5, 31), None, 2, 1, TODAY) == "due"
    assert round_state("planned", date(2025, 5, 31), None, 0, 0, TODAY) == "due"
    assert round_state("open", date(2025, 6, 1), None, 0, 0, TODAY) == "open"  # due today is not late
    assert round_state("planned", date(2025, 7, 1), None, 0, 0, TODAY) == "upcoming"


def test_researcher_creates_rounds_only_in_assigned_pilots(session, setup):
    researcher = CurrentUser(
        id=None, username="forskare", role="researcher", pilot_ids=frozenset({setup["pilot"].id})
    )
    rnd = create_round(
        session, researcher, setup["site"].id, setup["version"].id, "Nollmätning", date(2025, 3, 1)
    )
    assert rnd.status == "open"
    with pytest.raises(AccessDenied):
        create_round(
            session, researcher, setup["other"].id, setup["version"].id, "Nollmätning", date(2025, 3, 1)
        )
    municipality = CurrentUser(id=None, username="k", role="municipality", municipality_code="2482")
    with pytest.raises(AccessDenied):
        create_round(session, municipality, setup["site"].id, setup["version"].id, "Egen", date(2025, 3, 1))


def test_bad_round_input_lists_every_problem(session, setup):
    create_round(session, SYSTEM_USER, setup["site"].id, setup["version"].id, "Nollmätning", date(2025, 3, 1))
    with pytest.raises(ValidationError) as info:
        create_round(
            session,
            SYSTEM_USER,
            setup["site"].id,
            setup["version"].id,
            "Nollmätning",
            date(2025, 3, 1),
            closes_on=date(2025, 2, 1),
            status="halvöppen",
        )
    assert {p.where for p in info.value.problems} == {"label", "closes_on", "status"}


def test_rounds_frame_is_scoped_and_counts_responses(session, setup):
    r1 = create_round(
        session, SYSTEM_USER, setup["site"].id, setup["version"].id, "Nollmätning", date(2025, 3, 1)
    )
    create_round(
        session,
        SYSTEM_USER,
        setup["site"].id,
        setup["version"].id,
        "Uppföljning 1",
        date(2025, 11, 1),
        status="planned",
    )
    create_round(
        session, SYSTEM_USER, setup["other"].id, setup["version"].id, "Nollmätning", date(2025, 9, 1)
    )
    resp = start_response(session, SYSTEM_USER, r1.id, "R1")
    save_answers(session, SYSTEM_USER, resp.id, {"a": 1})
    submit_response(session, SYSTEM_USER, resp.id)
    start_response(session, SYSTEM_USER, r1.id, "R2")

    skelleftea = CurrentUser(id=None, username="k", role="municipality", municipality_code="2482")
    mine = rounds_frame(session, skelleftea, today=TODAY).set_index("label")
    assert list(mine.index) == ["Nollmätning", "Uppföljning 1"]
    assert mine.loc["Nollmätning", "state"] == "due" and mine.loc["Uppföljning 1", "state"] == "upcoming"
    assert (mine.loc["Nollmätning", "n_submitted"], mine.loc["Nollmätning", "n_drafts"]) == (1, 1)
    assert len(rounds_frame(session, SYSTEM_USER, today=TODAY)) == 3
    assert rounds_frame(session, CurrentUser(id=None, username="p", role="presenter")).empty
    set_round_status(session, SYSTEM_USER, r1.id, "closed")
    assert (
        rounds_frame(session, skelleftea, setup["site"].id, today=TODAY)
        .set_index("label")
        .loc["Nollmätning", "state"]
        == "done"
    )
    assert find_round(session, skelleftea, setup["site"].id, "liten", "Uppföljning 1").status == "planned"


def test_round_with_all_invitations_submitted_is_done(session, setup):
    rnd = create_round(
        session, SYSTEM_USER, setup["site"].id, setup["version"].id, "Nollmätning", date(2099, 3, 1)
    )
    _inv, token = create_invitation(session, SYSTEM_USER, rnd.id, "Rektor")
    assert rounds_frame(session, SYSTEM_USER).iloc[0]["state"] == "open"
    invitation, resp = open_invitation(session, token)
    save_answers(session, invitation, resp.id, {"a": 2})
    submit_response(session, invitation, resp.id)
    assert rounds_frame(session, SYSTEM_USER).iloc[0]["state"] == "done"


def test_closed_or_planned_round_cannot_be_answered(session, setup):
    rnd = create_round(
        session,
        SYSTEM_USER,
        setup["site"].id,
        setup["version"].id,
        "Senare",
        date(2099, 3, 1),
        status="planned",
    )
    with pytest.raises(WorkbenchError, match="inte öppnad ännu"):
        start_response(session, SYSTEM_USER, rnd.id, "R1")
    set_round_status(session, SYSTEM_USER, rnd.id, "open")
    resp = start_response(session, SYSTEM_USER, rnd.id, "R1")
    set_round_status(session, SYSTEM_USER, rnd.id, "closed")
    with pytest.raises(WorkbenchError, match="är stängd"):
        save_answers(session, SYSTEM_USER, resp.id, {"a": 1})


def test_round_site_ids_lists_sites_with_rounds_and_with_open_rounds(session, setup):
    site, other = setup["site"].id, setup["other"].id
    assert round_site_ids(session, SYSTEM_USER) == []
    create_round(session, SYSTEM_USER, site, setup["version"].id, "Nollmätning", date(2025, 7, 1),
                 status="planned")
    create_round(session, SYSTEM_USER, other, setup["version"].id, "Nollmätning", date(2025, 7, 1),
                 closes_on=date(2025, 8, 1))
    assert round_site_ids(session, SYSTEM_USER) == sorted([site, other])
    assert round_site_ids(session, SYSTEM_USER, open_on=TODAY) == [other]  # the planned round is not open
    assert round_site_ids(session, SYSTEM_USER, open_on=date(2025, 9, 1)) == []  # closed on 1 August
    skelleftea = CurrentUser(id=None, username="k", role="municipality", municipality_code="2482")
    assert round_site_ids(session, skelleftea) == [site]
    assert round_site_ids(session, CurrentUser(id=None, username="p", role="presenter")) == []
