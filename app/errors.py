"""The base of every domain error, and the error pages shown in the site's look."""

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.extensions import db


class DomainError(Exception):
    """A rule of the domain was broken; ``message`` is already translated for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def register_error_pages(app: Flask) -> None:
    """Render 400/403/404/413/429/500 with the base template (JSON under /api/)."""
    from flask import jsonify, request

    from app.inputs import BadInput

    titles = {
        400: lambda: _("Bad request"),
        403: lambda: _("You do not have permission to see this page"),
        404: lambda: _("Page not found"),
        413: lambda: _("The upload is too large"),
        429: lambda: _("Too many requests, please wait a moment and try again"),
        500: lambda: _("Something went wrong on our side"),
    }

    def render(status: int, detail: str | None = None) -> ResponseReturnValue:
        if status == 500:
            # The failure may have left the transaction broken; the page's own queries (the
            # signed-in user, navigation counters) need a usable session.
            db.session.rollback()
        title = titles[status]()
        if request.path.startswith("/api/"):
            return jsonify(error=title, detail=detail), status
        return render_template("errors/error.html", status=status, title=title, detail=detail), status

    for status in titles:
        # An exception carrying a translated ``detail`` (such as an upload quota's) shows it.
        app.register_error_handler(
            status, lambda error, status=status: render(status, getattr(error, "detail", None))
        )

    @app.errorhandler(BadInput)
    def bad_input(error: BadInput) -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return jsonify(error=error.detail, reason=error.reason), 400
        return render(400, error.detail)

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> ResponseReturnValue:
        return render(
            400, _("The form has expired or was not sent from this site. Reload the page and try again.")
        )
