"""Bearer tokens for API clients: issued for a username, password and device name, stored hashed.

A token is random (256 bits), shown once, stored as its SHA-256, and valid until it expires
(API_TOKEN_DAYS), its holder revokes it on the account page, or the account's session version moves
on (signing out everywhere, a password change, deactivation). It authenticates ``/api/v1`` requests
only, never a page, and a bearer request ignores any session cookie it carries: so it needs no CSRF
token (a cross-site page cannot make a browser add the header) and cannot borrow a browser session.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Request, current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.auth.events import announce_account_event
from app.auth.models import ApiToken, User
from app.auth.services import authenticate
from app.errors import DomainError
from app.extensions import API_TOKEN_PREFIX, api_token, bearer_token, csrf, db, rows_changed
from app.timeutil import utcnow

API_PREFIX = "/api/v1/"
# A token's last use is written at most this often: a busy client must not write on every request.
LAST_USED_GRANULARITY = timedelta(minutes=5)


class TokenError(DomainError):
    pass


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    username: str, password: str, device_name: str, address: str | None = None, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """Sign in with the account's password and give a new token for the named device (shown once)."""
    now = now or utcnow()
    device_name = (device_name or "").strip()
    if not 1 <= len(device_name) <= 100:
        raise TokenError(_("Name the device (1 to 100 characters), such as “My phone”."))
    user = authenticate(username, password, address, now)  # throttled and audited like the sign-in page
    # The prefix says what a leaked string is, so secret scanners and people recognise it.
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    issued = ApiToken(
        user_id=user.id,
        token_hash=_digest(token),
        device_name=device_name,
        session_version=user.session_version,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["API_TOKEN_DAYS"]),
    )
    db.session.add(issued)
    db.session.flush()
    announce_account_event(
        user, "auth.token_issued", "api_token", issued.id, {"device": device_name, "address": address}
    )
    db.session.commit()
    return issued, token


def user_for_token(token: str, now: datetime | None = None) -> User | None:
    """The account a bearer token stands for, or None (unknown, expired, revoked or ended)."""
    now = now or utcnow()
    found = db.session.execute(
        select(ApiToken, User)
        .join(User, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _digest(token))
    ).first()
    if found is None:
        return None
    issued, user = found
    if (
        issued.revoked_at is not None
        or issued.expires_at <= now
        or not user.active
        or issued.session_version != user.session_version
    ):
        return None
    if issued.last_used_at is None or now - issued.last_used_at >= LAST_USED_GRANULARITY:
        issued.last_used_at = now
        db.session.commit()
    return user


def load_user_from_request(request: Request) -> User | None:
    """Flask-Login's request loader: a bearer token authenticates API requests, nothing else."""
    token = api_token()
    if token is None or not request.path.startswith(API_PREFIX):
        return None
    return user_for_token(token)


def protect_forms() -> None:
    """Before every request: the CSRF check, except for bearer API requests (see the module's doc)."""
    if bearer_token() is None:
        csrf.protect(apply_exemptions=True)


def devices_of(user: User, now: datetime | None = None) -> list[ApiToken]:
    """The user's tokens still in force, newest first (the account page lists them as devices)."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > now,
                ApiToken.session_version == user.session_version,
            )
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(user: User, token_id: int, now: datetime | None = None) -> bool:
    """Revoke one of the user's own tokens; False when it is not theirs or already revoked."""
    revoked = rows_changed(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    if revoked:
        announce_account_event(user, "auth.token_revoked", "api_token", token_id)
    db.session.commit()
    return bool(revoked)
