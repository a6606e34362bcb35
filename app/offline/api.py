"""JSON endpoints for offline study, under /api/v1/offline/ (docs/api.md): grants and uploads."""

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from app.errors import DomainError
from app.inputs import MAX_COLUMN_INTEGER, json_object
from app.offline import services

bp = Blueprint("offline_api", __name__, url_prefix="/api/v1/offline")


@bp.post("/grants")
@login_required
def grant():
    """Grant a download of a video lesson for offline study: {"lesson_id": 12}."""
    payload = json_object()
    lesson_id = payload.get("lesson_id")
    if (
        not isinstance(lesson_id, int)
        or isinstance(lesson_id, bool)
        or not 0 < lesson_id <= MAX_COLUMN_INTEGER
    ):
        return jsonify(error="bad_lesson_id"), 422
    try:
        row, token = services.grant_download(current_user, lesson_id)
    except DomainError as error:
        return jsonify(error=error.message), 404
    return jsonify(services.grant_json(current_user, row, token)), 201


@bp.post("/uploads")
@login_required
def upload():
    """Upload an offline play log: {"grant", "log_id", "plays": [...], "device_time"}."""
    payload = json_object()
    try:
        upload = services.upload_log(current_user, payload)
    except services.OfflineRefused as refusal:
        return jsonify(error=refusal.reason), refusal.status
    return jsonify(services.figures(current_user, upload)), 201
