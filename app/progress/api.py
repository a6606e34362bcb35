"""JSON endpoints for the signed-in member's own record, under /api/v1/progress/."""

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from app.extensions import bearer_token, login_manager
from app.inputs import BadInput, year_arg
from app.progress import ledger
from app.progress.statements import export_xapi
from app.progress.watching import heartbeats, reading, viewing
from app.progress.watching.limits import ANY_ID, heartbeat_limit

bp = Blueprint("progress_api", __name__, url_prefix="/api/v1/progress")


@bp.get("/ledger")
@login_required
def my_ledger():
    """The member's 学时台账 for ?year= (this year by default), with the total against the target."""
    return jsonify(ledger.ledger_report(current_user, year_arg(ledger.local_year())))


@bp.get("/statements")
@login_required
def my_statements():
    """The member's learning statements as xAPI JSON."""
    return jsonify(export_xapi(current_user))


lessons_bp = Blueprint("lesson_progress_api", __name__, url_prefix="/api/v1/lessons")
# The shared heartbeat limit and id converter live in watching/limits.py (self-study's endpoint uses them).


def _read_heartbeat(member, lesson_id: int):
    """The heartbeat's JSON as ``(payload, None)``; or ``(None, answer)`` when the reader refuses the
    body (too large or deep, a number out of range, not JSON): a refusal like any other, stored, 422."""
    try:
        return request.get_json(silent=True), None
    except BadInput as unreadable:
        heartbeats.record_refusal(member, lesson_id, unreadable.reason, unreadable.raw)
        return None, (jsonify(error=unreadable.reason, detail=unreadable.detail), 422)


@lessons_bp.post(f"/<{ANY_ID}:lesson_id>/heartbeat")
@heartbeat_limit
def heartbeat(lesson_id: int):
    """Credit the media interval just played: {"start", "end"} (+ "session", "sequence") in seconds.

    Sent with the lesson page's viewing token as a bearer token, it is served without the session
    cookie, CSRF or loading the account (the heartbeat's own read checks the token); otherwise it
    takes the signed-in session like any API call.
    """
    if viewing.is_viewing_token(bearer_token()):
        claim = viewing.request_claim()
        if claim is None:
            return jsonify(error="bad_token"), 401
        member: heartbeats.Member = heartbeats.MemberRef(claim.user_id)
    elif current_user.is_authenticated:
        member, claim = current_user, None
    else:
        return login_manager.unauthorized()
    payload, refused = _read_heartbeat(member, lesson_id)
    if refused:
        return refused
    try:
        figures = heartbeats.heartbeat(member, lesson_id, payload, claim=claim)
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


@lessons_bp.post(f"/<{ANY_ID}:lesson_id>/reading-heartbeat")
@heartbeat_limit
@login_required
def reading_heartbeat(lesson_id: int):
    """Credit visible, active reading time: {"seconds"} (+ "session", "sequence") since the last one."""
    payload, refused = _read_heartbeat(current_user, lesson_id)
    if refused:
        return refused
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
