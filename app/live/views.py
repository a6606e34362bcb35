"""Live lesson pages: the member's player and questions, the trainer's encoder settings, the report."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.forms import ConfirmForm
from app.auth.permissions import login_required
from app.courses.forms import KIND_LABELS, completion_label
from app.live import attendance, permissions, reports, services
from app.markup import render_markdown
from app.progress.services import open_lesson, progress_of
from app.progress.watching.heartbeats import player_state

bp = Blueprint("live", __name__, url_prefix="/live", template_folder="templates")


def _content_security_policy() -> str:
    """The site's policy, plus the HLS origin when nginx serves it from another one (development),
    and blob: media for hls.js's MediaSource."""
    hls = urlsplit(current_app.config["LIVE_HLS_URL"])
    origin = f" {hls.scheme}://{hls.netloc}" if hls.netloc else ""
    return (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        f"form-action 'self'; frame-ancestors 'self'; media-src 'self' blob:{origin}; connect-src 'self'{origin}"
    )


@bp.get("/lessons/<int:lesson_id>")
@login_required
def lesson(lesson_id: int):
    """The live lesson: countdown, live player or replay, questions; the trainer's encoder settings."""
    lesson = permissions.watchable_or_404(lesson_id)
    attending = permissions.can_attend(current_user, lesson)
    host = permissions.can_host(current_user, lesson)
    view = services.live_view(lesson)
    progress = open_lesson(current_user, lesson) if attending else progress_of(current_user, lesson)
    session = watch = None
    if attending and view.state != services.ENDED:
        session = attendance.open_viewing(current_user, lesson)
    elif attending and view.replay:
        watch = player_state(current_user, lesson)
    response = current_app.make_response(
        render_template(
            "live/lesson.html",
            lesson=lesson,
            course=lesson.course,
            view=view,
            body=render_markdown(lesson.body),
            progress=progress,
            session=session,
            watch=watch,
            host=host,
            encoder=services.encoder_settings(lesson) if host else None,
            figures=attendance.figures(current_user, lesson) if attending else None,
            kind_labels=KIND_LABELS,
            completion_label=completion_label(lesson.kind, lesson.completion),
            form=ConfirmForm(),
            group_unit=permissions.group_viewing_unit(current_user),
        )
    )
    response.headers["Content-Security-Policy"] = _content_security_policy()
    return response


@bp.post("/lessons/<int:lesson_id>/key")
@login_required
def regenerate_key(lesson_id: int):
    """Give the lesson a new stream key (the old one stops working)."""
    lesson = permissions.hosted_or_404(lesson_id)
    if ConfirmForm().validate_on_submit():
        services.regenerate_key(lesson)
        flash(_("A new stream key has been made: paste it into the encoder."), "success")
    return redirect(url_for("live.lesson", lesson_id=lesson.id))


@bp.get("/lessons/<int:lesson_id>/report")
@login_required
def report(lesson_id: int):
    """Who attended live, watched the replay, watched in a group viewing, or was absent."""
    lesson, paths = permissions.reported_or_404(lesson_id)
    rows = reports.live_report(lesson, paths)
    return render_template(
        "live/report.html",
        lesson=lesson,
        course=lesson.course,
        view=services.live_view(lesson),
        rows=rows,
        counts=reports.summary(rows),
        labels=reports.STATUS_LABELS,
    )
