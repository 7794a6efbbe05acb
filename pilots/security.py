"""Security configuration read from the environment: the cookie secret and how long a login lasts.

Nothing secret lives in the repository. ``WORKBENCH_COOKIE_SECRET`` signs Streamlit's cookies; when it is
unset a random one is made for this start only (everyone logs in again after a restart). Replicas behind
a proxy must share one secret. ``WORKBENCH_SESSION_MINUTES`` ends a login after that many minutes.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pilots.errors import WorkbenchError

ENV_COOKIE_SECRET = "WORKBENCH_COOKIE_SECRET"
ENV_SESSION_MINUTES = "WORKBENCH_SESSION_MINUTES"
DEFAULT_SESSION_MINUTES = 480
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class CookieSecret:
    """The secret and whether it came from configuration (shared) or was generated for this start."""

    value: str
    configured: bool


def cookie_secret(env: Mapping[str, str] | None = None) -> CookieSecret:
    """The configured cookie secret, or a fresh random one; a short configured secret is refused."""
    env = os.environ if env is None else env
    value = (env.get(ENV_COOKIE_SECRET) or "").strip()
    if not value:
        return CookieSecret(secrets.token_urlsafe(48), configured=False)
    if len(value) < MIN_SECRET_LENGTH:
        raise WorkbenchError(
            f"{ENV_COOKIE_SECRET} är för kort ({len(value)} tecken); använd minst {MIN_SECRET_LENGTH}, t.ex. "
            "`python -c \"import secrets; print(secrets.token_urlsafe(48))\"`. "
            "(The cookie secret is too short.)"
        )
    return CookieSecret(value, configured=True)


def session_minutes(env: Mapping[str, str] | None = None) -> int:
    """Minutes a login lasts (``WORKBENCH_SESSION_MINUTES``, default 480); a bad value is a clear error."""
    env = os.environ if env is None else env
    raw = (env.get(ENV_SESSION_MINUTES) or "").strip()
    if not raw:
        return DEFAULT_SESSION_MINUTES
    try:
        minutes = int(raw)
    except ValueError:
        minutes = 0
    if minutes <= 0:
        raise WorkbenchError(f"{ENV_SESSION_MINUTES} måste vara ett positivt heltal (minuter), inte {raw!r}.")
    return minutes


def session_expired(logged_in_at: datetime | None, now: datetime, minutes: int) -> bool:
    """True when a login started at ``logged_in_at`` is older than ``minutes`` (no start time: expired)."""
    return logged_in_at is None or now - logged_in_at > timedelta(minutes=minutes)


def streamlit_environment(secret: CookieSecret, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the Streamlit server: the cookie secret and XSRF protection.

    The secret travels in the environment (``STREAMLIT_SERVER_COOKIE_SECRET``), not on the command
    line, so it never shows in the process list.
    """
    out = dict(os.environ if env is None else env)
    out["STREAMLIT_SERVER_COOKIE_SECRET"] = secret.value
    out["STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION"] = "true"
    return out
