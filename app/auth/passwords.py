"""Password hashing and the password policy."""

from functools import cache
from importlib import resources

from flask import current_app, has_app_context
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import DomainError

MIN_PASSWORD_LENGTH = 10


class PasswordPolicyError(DomainError):
    pass


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("app.auth").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password_policy(password: str, username: str = "") -> None:
    """Raise PasswordPolicyError when ``password`` is too short or too easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            _("The password must be at least %(count)d characters long.", count=MIN_PASSWORD_LENGTH)
        )
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        raise PasswordPolicyError(_("This password is too common. Choose one that is harder to guess."))
    if username and username.lower() in lowered:
        raise PasswordPolicyError(_("The password must not contain the username."))


def hash_password(password: str) -> str:
    # Tests lower the scrypt work factor (PASSWORD_HASH_METHOD); production keeps werkzeug's default.
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    return check_password_hash(password_hash, password)
