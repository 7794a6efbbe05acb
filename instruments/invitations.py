"""Invitation links: answer a round without an account through an expiring, single-use token.

Only the token's SHA-256 is stored; the token itself is shown once when the link is made. The link
opens one response: saving and resuming through the same link is allowed until the response is
submitted (then the link is used) or the link expires.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from instruments.answers import _new_response, invitation_expired
from instruments.rounds import get_round
from pilots.access import CurrentUser
from pilots.errors import Problem, ValidationError, WorkbenchError
from pilots.models import AssessmentRound, Invitation, Response, utcnow
from pilots.privacy import check_text

MAX_VALID_DAYS = 90


class InvitationError(WorkbenchError):
    """A link that cannot be used; ``reason`` is unknown, expired, used or closed."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_link(base_url: str, token: str) -> str:
    """The link to send: ``<base_url>/?token=<token>``."""
    return f"{base_url.rstrip('/')}/?token={token}"


def create_invitation(
    session: Session,
    user: CurrentUser,
    round_id: int,
    respondent_label: str,
    valid_days: int = 14,
    *,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Make a link for one respondent in a round (admins and the pilot's researchers); return it and its token."""
    row = get_round(session, user, round_id, write=True)
    label = (respondent_label or "").strip()
    problems: list[Problem] = []
    if row.status == "closed":
        problems.append(
            Problem("round", f"mätomgången {row.label!r} är stängd; öppna den innan du bjuder in")
        )
    if not label:
        problems.append(
            Problem("respondent_label", "ange vem länken är till som en funktion eller roll (inget namn)")
        )
    elif len(label) > 100:
        problems.append(Problem("respondent_label", "etiketten får vara högst 100 tecken"))
    elif session.scalar(
        select(Invitation.id).where(Invitation.round_id == row.id, Invitation.respondent_label == label)
    ) or session.scalar(
        select(Response.id).where(Response.round_id == row.id, Response.respondent_label == label)
    ):
        problems.append(
            Problem(
                "respondent_label",
                f"omgången har redan en länk eller ett svar för {label!r}; välj en annan etikett",
            )
        )
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        problems.append(
            Problem("valid_days", f"länken kan gälla 1–{MAX_VALID_DAYS} dagar, inte {valid_days}")
        )
    if problems:
        raise ValidationError(problems)
    check_text(label, "respondent_label")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        round_id=row.id,
        token_hash=hash_token(token),
        respondent_label=label,
        expires_at=(now or utcnow()) + timedelta(days=valid_days),
        created_by=user.username,
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def open_invitation(
    session: Session, token: str, *, now: datetime | None = None
) -> tuple[Invitation, Response]:
    """The invitation and its (draft) response for a token; a new draft on first use.

    Raises InvitationError with a Swedish message for an unknown, expired or already submitted link,
    and for a round that is no longer open.
    """
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token((token or "").strip()))
    )
    if invitation is None:
        raise InvitationError(
            "unknown",
            "Länken känns inte igen. Kontrollera att hela länken kom med, "
            "eller be den som skickade den om en ny.",
        )
    response = session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    if invitation.used_at is not None or (response is not None and response.status == "submitted"):
        raise InvitationError(
            "used", "Svaren via den här länken är redan inskickade. Tack! Länken kan bara användas en gång."
        )
    if invitation_expired(invitation, now):
        raise InvitationError(
            "expired",
            f"Länken gick ut {invitation.expires_at:%Y-%m-%d %H:%M}. Be den som skickade den om en ny länk.",
        )
    row = session.get(AssessmentRound, invitation.round_id)
    if (
        row is None
        or row.deleted_at is not None
        or row.status != "open"
        or (row.closes_on is not None and row.closes_on < (now or utcnow()).date())
    ):
        raise InvitationError("closed", "Mätomgången som länken gäller är inte öppen för svar.")
    if response is None:
        response = _new_response(
            session,
            row,
            invitation.respondent_label,
            "individual",
            invitation=invitation,
            today=(now or utcnow()).date(),
        )
    return invitation, response


INVITATION_COLUMNS = [
    "invitation_id",
    "respondent_label",
    "created_at",
    "created_by",
    "expires_at",
    "used_at",
    "state",
]


def invitations_frame(
    session: Session, user: CurrentUser, round_id: int, *, now: datetime | None = None
) -> pd.DataFrame:
    """The links made for a round (never their tokens) and whether each is waiting, used or expired."""
    get_round(session, user, round_id)
    now = now or utcnow()
    rows = []
    for inv in session.scalars(
        select(Invitation).where(Invitation.round_id == round_id).order_by(Invitation.id)
    ):
        state = "used" if inv.used_at else ("expired" if inv.expires_at <= now else "waiting")
        rows.append(
            {
                "invitation_id": inv.id,
                "respondent_label": inv.respondent_label,
                "created_at": inv.created_at,
                "created_by": inv.created_by,
                "expires_at": inv.expires_at,
                "used_at": inv.used_at,
                "state": state,
            }
        )
    return pd.DataFrame(rows, columns=INVITATION_COLUMNS)


def describe_invitation(session: Session, invitation: Invitation) -> dict[str, object]:
    """What the respondent is answering: municipality, pilot, round and instrument version (no access check:
    the holder of a valid token may see this much)."""
    from pilots.models import InstrumentVersion, Municipality, Pilot, Site

    row = session.get(AssessmentRound, invitation.round_id)
    assert row is not None
    site = session.get(Site, row.site_id)
    assert site is not None
    municipality = session.get(Municipality, site.municipality_code)
    pilot = session.get(Pilot, site.pilot_id)
    version = session.get(InstrumentVersion, row.instrument_version_id)
    return {
        "municipality_name": municipality.name if municipality else site.municipality_code,
        "pilot_name": pilot.name if pilot else "",
        "is_demo": bool(pilot.is_demo) if pilot else False,
        "round_label": row.label,
        "due_date": row.due_date,
        "closes_on": row.closes_on,
        "instrument_version_id": row.instrument_version_id,
        "instrument_status": version.status if version else "provisional",
        "respondent_label": invitation.respondent_label,
        "expires_at": invitation.expires_at,
    }
