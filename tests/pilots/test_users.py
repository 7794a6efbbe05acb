"""Accounts: argon2 passwords, roles, duplicates refused, lockout with back-off, SSO role mapping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from pilots.errors import AccessDenied, ValidationError
from pilots.models import UserAccount, utcnow
from pilots.users import LOCKOUT_AFTER, LoginFailed, authenticate, create_user, user_for_email

PASSWORD = "ett-långt-lösenord"


def test_password_is_stored_as_argon2_hash_and_login_gives_the_role(session) -> None:
    create_user(session, "anna", PASSWORD, "mfof", email="anna@mfof.se")
    account = session.scalar(select(UserAccount).where(UserAccount.username == "anna"))
    assert account.password_hash.startswith("$argon2") and PASSWORD not in account.password_hash
    user = authenticate(session, "Anna", PASSWORD)
    assert user.role == "mfof" and user.username == "anna"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"username": "dup", "role": "admin"}, "finns redan"),
        ({"username": "kommun", "role": "municipality"}, "kommunkod"),
        ({"username": "kommun2", "role": "municipality", "municipality_code": "9999"}, "9999"),
        ({"username": "x", "role": "chef"}, "okänd roll"),
    ],
)
def test_bad_accounts_are_refused(session, kwargs: dict, message: str) -> None:
    create_user(session, "dup", PASSWORD, "admin")
    kwargs = dict(kwargs)  # the parameter dict is shared between the two backends
    username = kwargs.pop("username")
    role = kwargs.pop("role")
    with pytest.raises(ValidationError, match=message):
        create_user(session, username, PASSWORD, role, **kwargs)


def test_short_password_refused(session) -> None:
    with pytest.raises(ValidationError, match="minst 10"):
        create_user(session, "kort", "abc", "admin")


def test_wrong_password_and_lockout_with_back_off(session) -> None:
    create_user(session, "bo", PASSWORD, "researcher")
    now = utcnow()
    for _ in range(LOCKOUT_AFTER):
        with pytest.raises(LoginFailed, match="Fel användarnamn"):
            authenticate(session, "bo", "fel-lösenord", now=now)
    with pytest.raises(LoginFailed, match="låst"):
        authenticate(session, "bo", PASSWORD, now=now + timedelta(seconds=5))
    first_lock = session.scalar(select(UserAccount.locked_until).where(UserAccount.username == "bo"))
    # After the lock expires one more failure locks for twice as long.
    later = first_lock + timedelta(seconds=1)
    with pytest.raises(LoginFailed):
        authenticate(session, "bo", "fel-igen", now=later)
    second_lock = session.scalar(select(UserAccount.locked_until).where(UserAccount.username == "bo"))
    assert (second_lock - later) == 2 * (first_lock - now)
    assert authenticate(session, "bo", PASSWORD, now=second_lock + timedelta(seconds=1)).role == "researcher"


def test_unknown_and_inactive_users_get_the_same_message(session) -> None:
    create_user(session, "ida", PASSWORD, "admin")
    session.scalar(select(UserAccount).where(UserAccount.username == "ida")).is_active = False
    for name in ("ida", "ingen"):
        with pytest.raises(LoginFailed, match="Fel användarnamn eller lösenord"):
            authenticate(session, name, PASSWORD)


def test_single_sign_on_takes_the_role_from_our_table(session) -> None:
    create_user(session, "kommun-skelleftea", None, "municipality", email="Kontakt@Skelleftea.se",
                municipality_code="2482")
    user = user_for_email(session, "kontakt@skelleftea.se")
    assert user.role == "municipality" and user.municipality_code == "2482"
    with pytest.raises(AccessDenied, match="inte registrerad"):
        user_for_email(session, "okand@example.se")
