"""Invitation links: hashed tokens, expiry, single use, resuming through the same link."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from instruments.answers import response_answers, save_answers, submit_response
from instruments.invitations import (
    InvitationError,
    create_invitation,
    hash_token,
    invitation_link,
    invitations_frame,
    open_invitation,
)
from instruments.rounds import create_round
from instruments.store import add_instrument_version
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.errors import AccessDenied, ValidationError, WorkbenchError
from pilots.models import Invitation, Response, utcnow
from pilots.sites import add_site, create_pilot


@pytest.fixture
def rnd(session, small_text):
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
    version = add_instrument_version(session, SYSTEM_USER, small_text)
    return create_round(session, SYSTEM_USER, site.id, version.id, "Nollmätning", date(2099, 3, 1))


def test_token_is_random_and_only_its_hash_is_stored(session, rnd):
    inv, token = create_invitation(session, SYSTEM_USER, rnd.id, "Förskolechef")
    _inv2, token2 = create_invitation(session, SYSTEM_USER, rnd.id, "Rektor")
    assert token != token2 and len(token) >= 40
    stored = session.scalars(select(Invitation.token_hash)).all()
    assert hash_token(token) in stored and token not in stored
    assert all(token not in str(v) for v in session.execute(select(Invitation.__table__)).all())
    assert invitation_link("http://localhost:8501/", token) == f"http://localhost:8501/?token={token}"
    assert inv.expires_at - utcnow() > timedelta(days=13, hours=23)


def test_link_opens_one_resumable_response_until_submitted(session, rnd):
    _inv, token = create_invitation(session, SYSTEM_USER, rnd.id, "Förskolechef")
    invitation, resp = open_invitation(session, token)
    assert resp.respondent_label == "Förskolechef" and resp.status == "draft"
    save_answers(session, invitation, resp.id, {"a": 1, "b": "vet_ej"})
    again, same = open_invitation(session, token)
    assert same.id == resp.id
    assert set(response_answers(session, again, same.id)["item_id"]) == {"a", "b"}
    submit_response(session, again, same.id)
    assert session.get(Invitation, invitation.id).used_at is not None
    with pytest.raises(InvitationError, match="redan inskickade") as info:
        open_invitation(session, token)
    assert info.value.reason == "used"


def test_unknown_and_expired_links_are_refused_clearly(session, rnd):
    with pytest.raises(InvitationError, match="känns inte igen") as info:
        open_invitation(session, "inte-en-riktig-token")
    assert info.value.reason == "unknown"
    _inv, token = create_invitation(session, SYSTEM_USER, rnd.id, "Rektor", valid_days=1)
    with pytest.raises(InvitationError, match="gick ut") as info:
        open_invitation(session, token, now=utcnow() + timedelta(days=2))
    assert info.value.reason == "expired"
    assert session.scalar(select(Response.id)) is None


def test_expired_link_cannot_save_an_open_draft(session, rnd):
    inv, token = create_invitation(session, SYSTEM_USER, rnd.id, "Rektor")
    invitation, resp = open_invitation(session, token)
    invitation.expires_at = datetime(2000, 1, 1)
    with pytest.raises(WorkbenchError, match="gått ut"):
        save_answers(session, invitation, resp.id, {"a": 1})


def test_a_link_answers_only_its_own_response(session, rnd):
    _i1, t1 = create_invitation(session, SYSTEM_USER, rnd.id, "A")
    _i2, t2 = create_invitation(session, SYSTEM_USER, rnd.id, "B")
    inv_a, _resp_a = open_invitation(session, t1)
    _inv_b, resp_b = open_invitation(session, t2)
    with pytest.raises(WorkbenchError, match="gäller inte"):
        save_answers(session, inv_a, resp_b.id, {"a": 1})


def test_who_may_invite_and_bad_input(session, rnd):
    municipality = CurrentUser(id=None, username="k", role="municipality", municipality_code="2482")
    with pytest.raises(AccessDenied):
        create_invitation(session, municipality, rnd.id, "Rektor")
    create_invitation(session, SYSTEM_USER, rnd.id, "Rektor")
    with pytest.raises(ValidationError) as info:
        create_invitation(session, SYSTEM_USER, rnd.id, "Rektor", valid_days=400)
    assert {p.where for p in info.value.problems} == {"respondent_label", "valid_days"}
    frame = invitations_frame(session, SYSTEM_USER, rnd.id)
    assert list(frame["state"]) == ["waiting"] and "token_hash" not in frame.columns
