"""JSON for the quiz page: autosave under /api/v1/ (same session, CSRF token in X-CSRFToken)."""

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app.quizzes import permissions
from app.quizzes.errors import AttemptClosedError, StaleAttemptError, TamperedResponseError
from app.quizzes.forms import answers_from_fields, revision_from
from app.quizzes.services import attempts
from app.timeutil import utcnow

bp = Blueprint("quizzes_api", __name__, url_prefix="/api/v1/quizzes")

PAYLOAD_KEYS = {"revision", "fields"}


@bp.post("/attempts/<int:attempt_id>/answers")
@login_required
def save_answers(attempt_id: int):
    """Save the page's answer fields: ``{"revision": n, "fields": [[name, value], …]}``."""
    attempt = permissions.own_attempt_or_404(attempt_id)
    payload = request.get_json(silent=True)
    try:
        if (
            not isinstance(payload, dict)
            or set(payload) - PAYLOAD_KEYS
            or not isinstance(payload.get("fields"), list)
            or not all(_is_pair(pair) for pair in payload["fields"])
        ):
            raise TamperedResponseError(_("The request is not a quiz page's answers."))
        fields = MultiDict([(str(name), str(value)) for name, value in payload["fields"]])
        answers = answers_from_fields(fields, attempt.snapshot)
        now = utcnow()
        revision = attempts.save_answers(
            attempt, current_user, answers, revision_from(payload.get("revision")), now
        )
    except AttemptClosedError as error:
        return jsonify(
            error=error.message, reason="closed", review_url=url_for("quizzes.review", attempt_id=attempt.id)
        ), 409
    except StaleAttemptError as error:
        return jsonify(error=error.message, reason="stale"), 409
    except TamperedResponseError as error:
        return jsonify(error=error.message, reason="refused"), 400
    return jsonify(revision=revision, seconds_left=attempts.seconds_left(attempt, now))


def _is_pair(pair) -> bool:
    return (
        isinstance(pair, list)
        and len(pair) == 2
        and all(isinstance(part, str | int | float) for part in pair)
    )
