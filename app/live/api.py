"""JSON endpoints of live lessons under /api/v1/live/ (docs/api.md), and nginx-rtmp's callbacks."""

import hmac

from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user

from app.auth.permissions import login_required
from app.extensions import csrf, limiter
from app.inputs import BadInput
from app.jobs import enqueue
from app.live import attendance, permissions, questions, reports, services, streaming
from app.live.services import LiveError, PublishRefused
from app.progress.watching.refusals import HeartbeatRefused, record_refusal
from app.timeutil import utcnow

bp = Blueprint("live_api", __name__, url_prefix="/api/v1/live")


# --- nginx-rtmp's callbacks: form posts from the streaming server, which knows the path's token ----


def _from_nginx(token: str) -> None:
    if not hmac.compare_digest(token.encode(), streaming.callback_token().encode()):
        abort(404)


def _field(name: str) -> str:
    return (request.form.get(name) or "")[:200]


@bp.post("/rtmp/<token>/publish")
@csrf.exempt  # nginx posts a form with no cookie; the path's token is its credential
def on_publish(token: str):
    """Take or refuse a publish: any answer but 2xx makes nginx-rtmp drop the encoder."""
    _from_nginx(token)
    try:
        services.authorize_publish(_field("name"), _field("key"), _field("addr"), _field("clientid"))
    except PublishRefused as refusal:
        current_app.logger.warning("publish refused: %s", refusal.reason)
        return "", 403
    return "", 204


@bp.post("/rtmp/<token>/publish-done")
@csrf.exempt
def on_publish_done(token: str):
    _from_nginx(token)
    services.publish_done(_field("name"))
    return "", 204


@bp.post("/rtmp/<token>/record-done")
@csrf.exempt
def on_record_done(token: str):
    _from_nginx(token)
    found = services.recording_of(_field("name"), request.form.get("path") or "")
    if found is not None:  # copying and probing a long recording takes a while: the worker does it
        enqueue("live.make_replay", found[0], str(found[1]))
    return "", 204


# --- the player ---------------------------------------------------------------------------------------


@bp.get("/<int:lesson_id>/state")
@login_required
def state(lesson_id: int):
    """The broadcast's state, a signed playlist link while live, and the questions; answered 304 to
    an ``If-None-Match`` of the ETag it sent last when nothing changed."""
    lesson = permissions.watchable_or_404(lesson_id)
    view = services.live_view(lesson)
    host = permissions.can_host(current_user, lesson)
    etag = f"v{view.version}-{streaming.link_expiry()}-{'h' if host else 'm'}"
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
    else:
        payload = services.player_payload(lesson, current_user)
        payload["questions"] = questions.questions_for(current_user, lesson, host)
        response = jsonify(payload)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache, private"
    return response


# Live, video and reading heartbeats share one budget per member (the progress API's scope and key).
heartbeat_limit = limiter.shared_limit(
    lambda: current_app.config["PROGRESS_HEARTBEAT_RATE_LIMIT"],
    scope="heartbeat",
    key_func=lambda: f"member:{current_user.id}" if current_user.is_authenticated else "anonymous",
)


@bp.post("/<int:lesson_id>/heartbeat")
@heartbeat_limit
@login_required
def heartbeat(lesson_id: int):
    """Credit the live stream just watched: {"seconds", "session", "sequence"} (app/live/attendance.py)."""
    try:
        payload = request.get_json(silent=True)
    except BadInput as unreadable:
        record_refusal(current_user, lesson_id, unreadable.reason, unreadable.raw)
        return jsonify(error=unreadable.reason), 422
    try:
        figures = attendance.heartbeat(current_user, lesson_id, payload)
    except HeartbeatRefused as refusal:
        return jsonify(error=refusal.reason), refusal.status
    return jsonify(figures.as_json())


def _json_text(name: str) -> str:
    payload = request.get_json(silent=True)
    value = payload.get(name) if isinstance(payload, dict) else None
    return value if isinstance(value, str) else ""


@bp.post("/<int:lesson_id>/questions")
@login_required
def ask(lesson_id: int):
    """Ask a question during the broadcast: {"body"}."""
    lesson = permissions.attendable_or_404(lesson_id)
    try:
        question = questions.ask(current_user, lesson, _json_text("body"), utcnow())
    except LiveError as error:
        return jsonify(error=error.message), 422
    return jsonify(id=question.id), 201


@bp.post("/<int:lesson_id>/questions/<int:question_id>/answer")
@login_required
def answer(lesson_id: int, question_id: int):
    """The trainer marks a question answered: {"answer"} (may be empty: answered aloud)."""
    lesson = permissions.hosted_or_404(lesson_id)
    try:
        questions.answer(current_user, lesson, question_id, _json_text("answer"))
    except LiveError as error:
        return jsonify(error=error.message), 422
    return jsonify(ok=True)


@bp.post("/<int:lesson_id>/questions/<int:question_id>/pin")
@login_required
def pin(lesson_id: int, question_id: int):
    """The trainer pins a question ({"pinned": true}) or unpins it ({"pinned": false})."""
    lesson = permissions.hosted_or_404(lesson_id)
    payload = request.get_json(silent=True)
    pinned = payload.get("pinned", True) if isinstance(payload, dict) else True
    try:
        questions.pin(lesson, question_id, pinned is not False)
    except LiveError as error:
        return jsonify(error=error.message), 422
    return jsonify(ok=True)


@bp.get("/<int:lesson_id>/report")
@login_required
def report(lesson_id: int):
    """Who attended live, in a group viewing, by the replay, or was absent (the page's figures)."""
    lesson, paths = permissions.reported_or_404(lesson_id)
    rows = reports.live_report(lesson, paths)
    return jsonify(
        lesson_id=lesson.id,
        counts=reports.summary(rows),
        members=[
            {
                "username": row.member.username,
                "name": row.member.display_name,
                "unit": row.unit_name,
                "status": row.status,
                "attended_seconds": round(row.attended_seconds, 1),
                "replay_seconds": round(row.replay_seconds, 1),
                "completed": row.completed,
            }
            for row in rows
        ],
    )
