"""JSON endpoints for the signed-in member's own record, under /api/v1/progress/."""

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from app.extensions import bearer_token, login_manager
from app.progress import heartbeats, ledger, reading, viewing
from app.progress.statements import export_xapi

bp = Blueprint("progress_api", __name__, url_prefix="/api/v1/progress")


@bp.get("/ledger")
@login_required
def my_ledger():
    """The member's 学时台账 for ?year= (this year by default), with the total against the target."""
    year = request.args.get("year", type=int) or ledger.local_year()
    if not 2000 <= year <= 2100:
        return jsonify(error="year must be between 2000 and 2100"), 400
    return jsonify(ledger.ledger_report(current_user, year))


@bp.get("/statements")
@login_required
def my_statements():
    """The member's learning statements as xAPI JSON."""
    return jsonify(export_xapi(current_user))


lessons_bp = Blueprint("lesson_progress_api", __name__, url_prefix="/api/v1/lessons")


@lessons_bp.post("/<int:lesson_id>/heartbeat")
def heartbeat(lesson_id: int):
    """Credit the media interval just played: {"start", "end"} (+ "session", "sequence") in seconds.

    Sent with the lesson page's viewing token as a bearer token, it is served without the session
    cookie, CSRF or loading the account (the heartbeat's own read checks the token); otherwise it
    takes the signed-in session like any API call.
    """
    token = bearer_token()
    if viewing.is_viewing_token(token):
        claim = viewing.read(token)
        if claim is None:
            return jsonify(error="bad_token"), 401
        member, context = heartbeats.MemberRef(claim.user_id), {"claim": claim}
    elif current_user.is_authenticated:
        member, context = current_user, {}
    else:
        return login_manager.unauthorized()
    payload = request.get_json(silent=True)
    try:
        figures = heartbeats.heartbeat(member, lesson_id, payload, **context)
    except heartbeats.HeartbeatRefused as refusal:
        return jsonify(error=refusal.reason), refusal.status
    return jsonify(figures.as_json())


@lessons_bp.get("/<int:lesson_id>/progress")
@login_required
def lesson_progress(lesson_id: int):
    """The member's verified figures on a video lesson."""
    lesson = heartbeats.watchable_lesson(lesson_id)
    if lesson is None:
        return jsonify(error="not_visible"), 404
    return jsonify(heartbeats.figures(current_user, lesson).as_json())


@lessons_bp.post("/<int:lesson_id>/reading-heartbeat")
@login_required
def reading_heartbeat(lesson_id: int):
    """Credit visible, active reading time: {"seconds"} (+ "session", "sequence") since the last one."""
    payload = request.get_json(silent=True)
    try:
        figures = reading.heartbeat(current_user, lesson_id, payload)
    except heartbeats.HeartbeatRefused as refusal:
        return jsonify(error=refusal.reason), refusal.status
    return jsonify(figures.as_json())


@lessons_bp.get("/<int:lesson_id>/reading-progress")
@login_required
def reading_progress(lesson_id: int):
    """The member's verified reading figures on a reading lesson."""
    lesson = reading.readable_lesson(lesson_id)
    if lesson is None:
        return jsonify(error="not_visible"), 404
    return jsonify(reading.figures(current_user, lesson).as_json())
