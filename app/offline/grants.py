"""Offline grants as the client holds them: a string naming the grant, member, lesson and its times,
signed with an HMAC of the site's secret key.

The grant row in the database is the authority (an upload is checked against it); the signature
makes the string tamper-evident on the device, so a client cannot name another grant, member,
lesson or time and be believed without the database agreeing as well.
"""

import calendar
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

PREFIX = "og1"
SIGNATURE_CHARS = 32  # 128 bits of the HMAC-SHA256
MAX_LENGTH = 200


@dataclass(frozen=True)
class GrantClaim:
    grant_id: int
    user_id: int
    lesson_id: int
    granted_at: int  # seconds since 1970 (UTC)
    expires_at: int


def epoch(at: datetime) -> int:
    """Seconds since 1970 of a stored (naive UTC) time, whatever the machine's time zone."""
    return calendar.timegm(at.utctimetuple())


def _signature(message: str) -> str:
    key = hashlib.sha256(f"{current_app.config['SECRET_KEY']}|offline-grant".encode()).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def sign(grant_id: int, user_id: int, lesson_id: int, granted_at: datetime, expires_at: datetime) -> str:
    message = f"{PREFIX}.{grant_id}.{user_id}.{lesson_id}.{epoch(granted_at)}.{epoch(expires_at)}"
    return f"{message}.{_signature(message)}"


def read(token: object) -> GrantClaim | None:
    """The claim of a genuine grant string (expired or not: the upload checks times); else None."""
    if not isinstance(token, str) or len(token) > MAX_LENGTH:
        return None
    parts = token.split(".")
    if (
        len(parts) != 7
        or parts[0] != PREFIX
        or not all(part.isdigit() and len(part) < 19 for part in parts[1:6])
    ):
        return None
    message, signature = token.rsplit(".", 1)
    if not hmac.compare_digest(signature, _signature(message)):
        return None
    return GrantClaim(*(int(part) for part in parts[1:6]))
