"""Account operations: sign-in with throttling, passwords, activation, roles."""

import math
import re
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from app.auth.events import announce_account_event
from app.auth.models import Role, RoleGrant, User
from app.auth.passwords import check_password_policy, hash_password, password_matches
from app.errors import DomainError
from app.extensions import bearer_token, db
from app.timeutil import utcnow


@cache
def _dummy_hash(method: str) -> str:
    """A hash checked when the username is unknown, so a wrong name costs as long as a wrong password."""
    return hash_password("not-a-real-password-only-for-timing")


class SignInError(DomainError):
    pass


class AccountError(DomainError):
    pass


def normalise_username(username: str) -> str:
    return username.strip().lower()


def get_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


# Built once: every signed-in request runs it, and building a statement costs about as much as the
# ORM's work on its row (benchmarks/heartbeat.py).
USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def load_user_for_session(session_id: str) -> User | None:
    """Return the user behind a session id "<id>:<version>", or None when that session was ended.

    A request carrying a bearer token is that token's alone: its session cookie, if any, is ignored.
    """
    user_id, _sep, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()) or (has_request_context() and bearer_token()):
        return None
    user = db.session.scalars(USER_BY_ID, {"user_id": int(user_id)}).first()
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _sign_in_refused() -> SignInError:
    """The one answer to every refused sign-in: unknown name, wrong password or locked account alike."""
    return SignInError(
        _(
            "Incorrect username or password. After %(failures)d failed attempts in a row an account is "
            "locked for %(minutes)d minutes.",
            failures=current_app.config["LOGIN_MAX_FAILURES"],
            minutes=math.ceil(current_app.config["LOGIN_THROTTLE_SECONDS"] / 60),
        )
    )


def authenticate(
    username: str, password: str, address: str | None = None, now: datetime | None = None
) -> User:
    """Return the user when the credentials are right; count failures and throttle the account.

    An unknown name, a wrong password and a locked account get the same message after the same work
    (one password hash check, one audit event), so neither the answer nor its timing tells whether
    an account exists or is locked. Failures are audited as ``auth.login_failed`` and the start of a
    lockout as ``auth.locked``, with the address the request came from; the password never is.
    """
    now = now or utcnow()
    user = get_user_by_username(username)
    attempt = {"username": normalise_username(username)[:150], "address": address}
    if user is None:
        password_matches(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        announce_account_event(None, "auth.login_failed", "user", "-", attempt)
        db.session.commit()
        raise _sign_in_refused()
    locked = user.throttled_until is not None and user.throttled_until > now
    right = password_matches(user.password_hash, password)  # checked when locked too: the same work
    if locked or not right:
        announce_account_event(None, "auth.login_failed", "user", user.id, attempt | {"locked": locked})
        if not locked:
            user.failed_logins += 1
            if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
                user.throttled_until = now + timedelta(seconds=current_app.config["LOGIN_THROTTLE_SECONDS"])
                user.failed_logins = 0
                until = user.throttled_until.isoformat()
                announce_account_event(
                    None, "auth.locked", "user", user.id, {"address": address, "until": until}
                )
        db.session.commit()
        raise _sign_in_refused()
    if not user.active:
        raise SignInError(_("This account has been deactivated. Please contact your branch secretary."))
    user.failed_logins = 0
    user.throttled_until = None
    db.session.commit()
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie the user holds."""
    user.session_version += 1
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not password_matches(user.password_hash, current_password):
        raise AccountError(_("The current password is not correct."))
    set_password(user, new_password)


def set_password(user: User, new_password: str) -> None:
    """Set a new password (checked against the policy) and end the user's other sessions."""
    check_password_policy(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.throttled_until = None
    user.session_version += 1
    db.session.commit()


def set_active(user: User, active: bool) -> None:
    user.active = active
    if not active:
        user.session_version += 1
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise AccountError(_("This language is not available."))
    user.locale = locale
    db.session.commit()


def grant_role(user: User, role: Role, unit_id: int | None = None) -> RoleGrant:
    """Add a role to the user unless it is already held; the caller commits."""
    if role is Role.SECRETARY and unit_id is None:
        raise AccountError(_("A secretary role must be given for an organisation unit."))
    scoped_unit_id = unit_id if role is Role.SECRETARY else None
    for grant in user.role_grants:
        if grant.role is role and grant.unit_id == scoped_unit_id:
            return grant
    grant = RoleGrant(role=role, unit_id=scoped_unit_id)
    user.role_grants.append(grant)
    return grant


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


USERNAME_PATTERN = r"^[a-z0-9][a-z0-9_.\-]{1,63}$"


def validate_username(username: str) -> str:
    username = normalise_username(username)
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise AccountError(
            _('A username is 2 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit.')
        )
    return username


EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def set_email(user: User, address: str) -> None:
    """Set (or with an empty address, clear) where scheduled reports and reminders are e-mailed."""
    address = address.strip()
    if address and (len(address) > 254 or not EMAIL_PATTERN.fullmatch(address)):
        raise AccountError(_("This is not an e-mail address."))
    user.email = address or None
    db.session.commit()
