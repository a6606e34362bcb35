"""The trainers' video library (upload, live state, retry, preview, subtitles, delete) and the media file URLs."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy.orm import selectinload
from wtforms import ValidationError

from app.auth.forms import ConfirmForm
from app.auth.permissions import roles_required
from app.errors import DomainError
from app.extensions import csrf, db
from app.media import permissions, quotas, services, storage, subtitles
from app.media.forms import STATUS_LABELS, SubtitleForm, UploadForm
from app.media.models import Subtitle, Video
from app.media.permissions import MANAGER_ROLES
from app.media.uploads import receive_upload
from app.web import filled

bp = Blueprint("media", __name__, url_prefix="/media", template_folder="templates")

CACHE_SECONDS = 3600


def _managed_video_or_404(video_id: int) -> Video:
    video = db.session.scalar(permissions.scoped_videos(current_user).where(Video.id == video_id))
    if video is None:
        abort(404)
    return video


def _changeable_video_or_404(video_id: int) -> Video:
    """The video, when the user may change it (403 for another trainer's: they see it in the library)."""
    video = _managed_video_or_404(video_id)
    if not permissions.can_change_video(current_user, video):
        abort(403)
    return video


@bp.get("/videos")
@roles_required(*MANAGER_ROLES)
def library():
    query = request.args.get("q", "")[:100].strip()
    videos = db.session.scalars(
        subtitles.filter_videos(permissions.scoped_videos(current_user), query)
        .options(selectinload(Video.uploaded_by), selectinload(Video.subtitles))
        .order_by(Video.created_at.desc(), Video.id.desc())
    )
    return render_template(
        "media/library.html",
        videos=list(videos),
        query=query,
        snippet=subtitles.subtitle_snippet,
        form=UploadForm(),
        status_labels=STATUS_LABELS,
        max_upload_bytes=current_app.config["MEDIA_MAX_UPLOAD_BYTES"],
    )


@bp.post("/videos")
@csrf.exempt  # the body is parsed below, by the streaming parser; the token is checked there
@roles_required(*MANAGER_ROLES)
def upload():
    limit = current_app.config["MEDIA_MAX_UPLOAD_BYTES"]
    # Over the account's quota: 429 before the body is read (app/media/quotas.py).
    quotas.check_upload(current_user, request.content_length)
    quotas.check_transcode_queue(current_user)
    with receive_upload(request.environ, "file", limit, storage.upload_dir()) as received:
        try:
            validate_csrf(received.form.get("csrf_token"))
        except ValidationError as error:
            raise CSRFError(error.args[0]) from error  # the site's usual "form has expired" page
        if received.path is None:
            flash(_("Choose a video file to upload."), "error")
            return redirect(url_for("media.library"))
        quotas.record_upload(current_user, "video", received.path.stat().st_size)
        try:
            video, created = services.add_video(received.path, received.filename, current_user)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("media.library"))
    if created:
        flash(_("The video has been uploaded and is being transcoded."), "success")
    else:
        flash(_("This video was uploaded before: here it is."), "info")
    return redirect(url_for("media.video", video_id=video.id))


@bp.get("/videos/<int:video_id>")
@roles_required(*MANAGER_ROLES)
def video(video_id: int):
    video = _managed_video_or_404(video_id)
    return render_template(
        "media/video.html",
        video=video,
        status_labels=STATUS_LABELS,
        failure_reason=services.failure_reason(video),
        confirm_form=ConfirmForm(),
        subtitle_form=SubtitleForm(),
        may_change=permissions.can_change_video(current_user, video),
        subtitle_max_bytes=current_app.config["MEDIA_SUBTITLE_MAX_BYTES"],
    )


@bp.post("/videos/<int:video_id>/retry")
@roles_required(*MANAGER_ROLES)
def retry(video_id: int):
    video = _changeable_video_or_404(video_id)
    if ConfirmForm().validate_on_submit():
        quotas.check_transcode_queue(current_user)
        try:
            services.retry_video(video)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The video has been queued again."), "success")
    return redirect(url_for("media.video", video_id=video_id))


@bp.post("/videos/<int:video_id>/delete")
@roles_required(*MANAGER_ROLES)
def delete(video_id: int):
    video = _changeable_video_or_404(video_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.delete_video(video)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The video has been deleted."), "success")
            return redirect(url_for("media.library"))
    return redirect(url_for("media.video", video_id=video_id))


@bp.post("/videos/<int:video_id>/subtitles")
@roles_required(*MANAGER_ROLES)
def add_subtitle(video_id: int):
    video = _changeable_video_or_404(video_id)
    form = SubtitleForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return redirect(url_for("media.video", video_id=video_id))
    data = form.file.data.stream.read(current_app.config["MEDIA_SUBTITLE_MAX_BYTES"] + 1)
    try:
        _subtitle, replaced = subtitles.add_subtitle(
            video, data, filled(form.language.data), filled(form.label.data), current_user
        )
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(
            _("The subtitles have been replaced.") if replaced else _("The subtitles have been added."),
            "success",
        )
    return redirect(url_for("media.video", video_id=video_id))


@bp.post("/videos/<int:video_id>/subtitles/<int:subtitle_id>/delete")
@roles_required(*MANAGER_ROLES)
def delete_subtitle(video_id: int, subtitle_id: int):
    video = _changeable_video_or_404(video_id)
    subtitle = _subtitle_of_or_404(video, subtitle_id)
    if ConfirmForm().validate_on_submit():
        subtitles.delete_subtitle(subtitle)
        flash(_("The subtitles have been deleted."), "success")
    return redirect(url_for("media.video", video_id=video_id))


def _subtitle_of_or_404(video: Video, subtitle_id: int) -> Subtitle:
    subtitle = db.session.get(Subtitle, subtitle_id)
    if subtitle is None or subtitle.video_id != video.id:
        abort(404)
    return subtitle


# Media files: only for signed-in users allowed to see the video; Range requests supported.


def _viewable_video_or_404(video_id: int) -> Video:
    video = db.session.get(Video, video_id)
    if video is None or not permissions.can_view_video(current_user, video):
        abort(404)
    return video


@bp.get("/videos/<int:video_id>/<int:height>p.mp4")
@login_required
def rendition_file(video_id: int, height: int):
    video = _viewable_video_or_404(video_id)
    rendition = video.rendition(height)
    if rendition is None:
        abort(404)
    return _deliver(rendition.path, "video/mp4", etag=f"{video.sha256}-{height}p")


@bp.get("/videos/<int:video_id>/poster.jpg")
@login_required
def poster_file(video_id: int):
    video = _viewable_video_or_404(video_id)
    if video.poster_path is None:
        abort(404)
    return _deliver(video.poster_path, "image/jpeg", etag=f"{video.sha256}-poster")


@bp.get("/videos/<int:video_id>/subtitles/<int:subtitle_id>.vtt")
@login_required
def subtitle_file(video_id: int, subtitle_id: int):
    subtitle = _subtitle_of_or_404(_viewable_video_or_404(video_id), subtitle_id)
    response = _deliver(subtitle.path, "text/vtt", etag=f"subtitle-{subtitle.id}-{subtitle.path[-20:-4]}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _deliver(relative_path: str, mimetype: str, etag: str) -> Response:
    """Send a media file: through nginx (X-Accel-Redirect) when configured, else with Range support."""
    accel_prefix = current_app.config["MEDIA_X_ACCEL_REDIRECT"]
    if accel_prefix:
        response = Response(mimetype=mimetype)
        response.headers["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + relative_path
    else:
        path = storage.absolute(relative_path)
        if not path.is_file():
            abort(404)
        if request.range is not None and len(request.range.ranges) > 1:
            # Multipart byte ranges are not served (players never ask for them): the whole file, 200.
            request.environ.pop("HTTP_RANGE")
        response = send_file(path, mimetype=mimetype, conditional=True, etag=etag, max_age=CACHE_SECONDS)
    # The files are behind a permission check: browsers may keep them, shared caches may not.
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.max_age = CACHE_SECONDS
    return response
