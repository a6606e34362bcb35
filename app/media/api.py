"""JSON about videos under /api/v1/: the library page polls the transcoding state here."""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from app.auth.permissions import roles_required
from app.extensions import db
from app.media import permissions, services
from app.media.models import Video
from app.media.permissions import MANAGER_ROLES

bp = Blueprint("media_api", __name__, url_prefix="/api/v1")

MAX_IDS = 100


@bp.get("/videos/status")
@roles_required(*MANAGER_ROLES)
def video_status():
    """Answer {"videos": [{id, status, progress, error, duration, renditions}]} for ?ids=1,2,3."""
    try:
        ids = [int(part) for part in request.args.get("ids", "").split(",") if part.strip()]
    except ValueError:
        abort(400)
    if len(ids) > MAX_IDS:
        abort(400)
    videos = db.session.scalars(permissions.scoped_videos(current_user).where(Video.id.in_(ids)))
    return jsonify(videos=[services.status_payload(video) for video in videos])
