"""Viewing tokens: what lets a player's heartbeats skip the cookie session, CSRF and Flask-Login.

The lesson page gives its player a token naming the member, the account's session version, the
lesson and the viewing session it opened, with an expiry, signed with an HMAC of the site's secret
key. Checking it costs one HMAC and no query; what it cannot know by itself is checked inside the
heartbeat's own read of the viewer row (rows.READ): that the account is still active and
at that session version (so signing out everywhere, a password change or deactivation end it) and
that the viewing session is still the member's newest (a newer page supersedes it).
"""

import calendar
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeGuard

from flask import current_app, g

from app.extensions import bearer_token
from app.timeutil import utcnow

PREFIX = "pv1"
SIGNATURE_CHARS = 32  # 128 bits of the HMAC-SHA256


@dataclass(frozen=True)
class ViewingClaim:
    user_id: int
    session_version: int
    lesson_id: int
    session: str  # the viewer row's session token the page opened


def _epoch(at: datetime) -> int:
    """Seconds since 1970 of a stored (naive UTC) time, whatever the machine's time zone."""
    return calendar.timegm(at.utctimetuple())


def _signature(message: str) -> str:
    key = hashlib.sha256(f"{current_app.config['SECRET_KEY']}|viewing-token".encode()).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def mint(
    user_id: int, session_version: int, lesson_id: int, session: str, now: datetime | None = None
) -> str:
    """A token for the player of one lesson page, valid PROGRESS_VIEWING_TOKEN_MINUTES."""
    minutes = current_app.config["PROGRESS_VIEWING_TOKEN_MINUTES"]
    expires = _epoch((now or utcnow()) + timedelta(minutes=minutes))
    message = f"{PREFIX}.{user_id}.{session_version}.{lesson_id}.{session}.{expires}"
    return f"{message}.{_signature(message)}"


def is_viewing_token(token: str | None) -> TypeGuard[str]:
    """Whether a bearer token is a viewing token by its form (not yet whether it is valid)."""
    return token is not None and token.startswith(PREFIX + ".")


def request_claim() -> ViewingClaim | None:
    """The claim of the request's bearer token when it is a genuine viewing token (read once a request:
    the rate limiter's key and the view both ask)."""
    if "viewing_claim" not in g:
        token = bearer_token()
        g.viewing_claim = read(token) if is_viewing_token(token) else None
    claim: ViewingClaim | None = g.viewing_claim
    return claim


def read(token: str, now: datetime | None = None) -> ViewingClaim | None:
    """The claim of a genuine, unexpired viewing token; None for anything else."""
    parts = token.split(".")
    if len(parts) != 7 or parts[0] != PREFIX or not all(part.isdigit() for part in (*parts[1:4], parts[5])):
        return None
    message, signature = token.rsplit(".", 1)
    if not hmac.compare_digest(signature, _signature(message)):
        return None
    if int(parts[5]) <= _epoch(now or utcnow()):
        return None
    return ViewingClaim(int(parts[1]), int(parts[2]), int(parts[3]), parts[4])
