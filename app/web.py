"""Helpers shared by every page: safe redirects, flashing a service's outcome, security headers.

Domain views import this module, so it imports no domain (the navigation is ``app/navigation.py``).
"""

from urllib.parse import urlsplit

from babel import Locale
from flask import Response, current_app, flash, request, url_for
from flask_babel import get_locale

from app.errors import DomainError


def safe_next_url(target: str | None, fallback_endpoint: str = "home.index") -> str:
    """Return ``target`` when it is a path on this site, else the fallback (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for(fallback_endpoint)


def run_and_flash(operation, success: str | None = None) -> bool:
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
            return code
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def set_security_headers(response: Response) -> Response:
    # No inline scripts anywhere, so the policy can forbid them.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'self'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    if request.endpoint and not request.endpoint.startswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
