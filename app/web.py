"""Helpers shared by every page: safe redirects, flashing a service's outcome, security headers.

Domain views import this module, so it imports no domain (the navigation is ``app/navigation.py``).
"""

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from babel import Locale
from flask import Response, abort, current_app, flash, request, url_for
from flask_babel import get_locale

from app.errors import DomainError


def safe_next_url(target: str | None, fallback_endpoint: str = "home.index") -> str:
    """Return ``target`` when it is a path on this site, else the fallback (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for(fallback_endpoint)


T = TypeVar("T")


def filled(data: T | None) -> T:
    """A required field's data once its form has validated (DataRequired or InputRequired saw a value).

    WTForms types every field's data as optional (None before the form is processed): this marks where
    a view relies on validation, and answers 400 should the value ever be missing.
    """
    if data is None:
        abort(400)
    return data


def run_and_flash(operation: Callable[[], object], success: str | None = None) -> bool:
    """Call a service, flashing its domain error or the success message; return whether it succeeded."""
    try:
        operation()
    except DomainError as error:
        flash(error.message, "error")
        return False
    if success:
        flash(success, "success")
    return True


def current_language_code() -> str:
    """Return the LANGUAGES key of the request's locale (Babel spells zh_CN as zh_Hans_CN)."""
    locale = get_locale()
    for code in current_app.config["LANGUAGES"]:
        if Locale.parse(code) == locale:
            return str(code)
    default: str = current_app.config["BABEL_DEFAULT_LOCALE"]
    return default


# No inline scripts anywhere, so the policy can forbid them.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


def set_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint and not request.endpoint.startswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
