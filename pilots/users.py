"""Local accounts: argon2-hashed passwords, roles, lockout with back-off after failed logins."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pilots.access import ROLES, CurrentUser, load_current_user, require_role
from pilots.audit import record_event
from pilots.errors import AccessDenied, NotFound, ValidationError, WorkbenchError
from pilots.models import Municipality, Pilot, PilotResearcher, UserAccount, utcnow
from pilots.privacy import check_fields

_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
LOCKOUT_AFTER = 5  # failed attempts before the first lockout
LOCKOUT_BASE_SECONDS = 30  # doubles with every further failure


class LoginFailed(WorkbenchError):
    """Wrong username or password, or the account is locked or inactive."""


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def create_user(
    session: Session,
    username: str,
    password: str | None,
    role: str,
    *,
    display_name: str = "",
    email: str | None = None,
    municipality_code: str | None = None,
    pilot_slugs: list[str] | None = None,
    password_hash: str | None = None,
) -> UserAccount:
    """Create an account; a duplicate username, an unknown role or municipality is refused.

    ``password_hash`` (an argon2 hash made by ``hash_password``) may stand in for ``password`` when many
    accounts share one, as the demo accounts do.
    """
    username = username.strip()
    problems: list[str] = []
    if not username:
        problems.append("användarnamn saknas")
    if role not in ROLES:
        problems.append(f"okänd roll {role!r}; välj en av {', '.join(ROLES)}")
    if role == "municipality" and not municipality_code:
        problems.append("en kommunanvändare måste ha en kommunkod (--municipality)")
    if municipality_code and session.get(Municipality, municipality_code) is None:
        problems.append(f"kommunkoden {municipality_code!r} finns inte bland Sveriges 290 kommuner")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken")
    if username and session.scalar(select(UserAccount.id).where(func.lower(UserAccount.username) == username.lower())):
        problems.append(f"användaren {username!r} finns redan")
    if problems:
        raise ValidationError("; ".join(problems))
    check_fields({"användarnamn": username, "namn": display_name})
    account = UserAccount(
        username=username,
        display_name=display_name or username,
        email=email,
        role=role,
        municipality_code=municipality_code if role == "municipality" else None,
        password_hash=password_hash or (hash_password(password) if password else None),
    )
    session.add(account)
    session.flush()
    for slug in pilot_slugs or []:
        assign_pilot(session, account, slug)
    return account


def assign_pilot(session: Session, account: UserAccount, pilot_slug: str) -> None:
    """Give a researcher access to a pilot."""
    pilot = session.scalar(select(Pilot).where(Pilot.slug == pilot_slug))
    if pilot is None:
        raise NotFound(f"Pilotprojektet {pilot_slug!r} finns inte.")
    exists = session.get(PilotResearcher, (pilot.id, account.id))
    if exists is None:
        session.add(PilotResearcher(pilot_id=pilot.id, user_id=account.id))
        session.flush()


def authenticate(session: Session, username: str, password: str, *, now: datetime | None = None) -> CurrentUser:
    """Check a password; repeated failures lock the account with a back-off that doubles each time."""
    now = now or utcnow()
    account = session.scalar(select(UserAccount).where(func.lower(UserAccount.username) == username.strip().lower()))
    generic = "Fel användarnamn eller lösenord. (Wrong username or password.)"
    if account is None or not account.is_active or not account.password_hash:
        _HASHER.hash(password or "x")  # similar time whether or not the user exists
        record_event(session, "login_failed", "user_account", after={"username": username})
        raise LoginFailed(generic)
    if account.locked_until and account.locked_until > now:
        seconds = int((account.locked_until - now).total_seconds()) + 1
        raise LoginFailed(
            f"Kontot är tillfälligt låst efter för många misslyckade inloggningar. Försök igen om {seconds} s."
        )
    try:
        _HASHER.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        account.failed_logins += 1
        if account.failed_logins >= LOCKOUT_AFTER:
            extra = account.failed_logins - LOCKOUT_AFTER
            account.locked_until = now + timedelta(seconds=LOCKOUT_BASE_SECONDS * (2 ** min(extra, 10)))
        session.flush()
        raise LoginFailed(generic) from None
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    session.flush()
    return load_current_user(session, account)


def user_for_email(session: Session, email: str) -> CurrentUser:
    """Single sign-on: the identity provider says who, our own table says which role."""
    account = session.scalar(select(UserAccount).where(func.lower(UserAccount.email) == email.strip().lower()))
    if account is None or not account.is_active:
        raise AccessDenied(
            f"{email} är inte registrerad i arbetsbänken. Be en administratör lägga till kontot med rätt roll."
        )
    return load_current_user(session, account)


def users_frame(session: Session, user: CurrentUser) -> pd.DataFrame:
    """All accounts for the admin page."""
    require_role(user, "admin")
    rows = session.scalars(select(UserAccount).order_by(UserAccount.username)).all()
    return pd.DataFrame(
        [
            {
                "id": a.id,
                "username": a.username,
                "display_name": a.display_name,
                "role": a.role,
                "municipality_code": a.municipality_code,
                "is_active": a.is_active,
                "locked_until": a.locked_until,
                "last_login_at": a.last_login_at,
            }
            for a in rows
        ],
        columns=["id", "username", "display_name", "role", "municipality_code", "is_active", "locked_until",
                 "last_login_at"],
    )


def set_active(session: Session, user: CurrentUser, username: str, active: bool) -> None:
    """Activate or deactivate an account (admins only; accounts are never deleted)."""
    require_role(user, "admin")
    account = session.scalar(select(UserAccount).where(UserAccount.username == username))
    if account is None:
        raise NotFound(f"Användaren {username!r} finns inte.")
    account.is_active = active
    session.flush()


def set_password(session: Session, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken")
    account = session.scalar(select(UserAccount).where(UserAccount.username == username))
    if account is None:
        raise NotFound(f"Användaren {username!r} finns inte.")
    account.password_hash = hash_password(password)
    account.failed_logins = 0
    account.locked_until = None
    session.flush()
