"""我的学习, "I have finished reading", refused heartbeats and certificates; the blueprints.

The pages of those who record and correct (in-person sessions, a member's ledger, targets, rules)
are in manage_views.py, on the same blueprint.
"""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.forms import ConfirmForm
from app.auth.permissions import permission_required
from app.courses import permissions as course_permissions
from app.courses.models import Lesson
from app.errors import DomainError
from app.extensions import db
from app.inputs import MAX_COLUMN_INTEGER, int_arg
from app.progress import ledger, services
from app.progress.completion import certificates
from app.progress.forms import (
    SESSION_KIND_LABELS,
    SOURCE_LABELS,
)
from app.progress.models import Certificate
from app.progress.reminders import reminders_for
from app.progress.watching import heartbeats

bp = Blueprint("progress", __name__, url_prefix="/progress", template_folder="templates")
public_bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="templates")

VERB_LABELS = {
    "started": _l("Started"),
    "completed": _l("Completed"),
    "passed": _l("Passed"),
    "failed": _l("Did not pass"),
    "credited": _l("Hours credited"),
    "attended": _l("Attended"),
}


bp.add_app_template_filter(ledger.format_hours, "hours")


def _readable_lesson_or_404(lesson_id: int) -> Lesson:
    """A current lesson of a published course the user may see."""
    lesson = db.session.get(Lesson, lesson_id)
    if (
        lesson is None
        or lesson.removed_at is not None
        or not lesson.course.is_published
        or not course_permissions.can_view_course(current_user, lesson.course)
    ):
        abort(404)
    return lesson


def _own_certificate_or_404(certificate_id: int) -> Certificate:
    """One of the user's certificates (another member's answers 404, as if it did not exist)."""
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.id == certificate_id, Certificate.user_id == current_user.id)
    )
    if certificate is None:
        abort(404)
    return certificate


@bp.get("/")
@login_required
def my_learning():
    year = ledger.local_year()
    return render_template(
        "progress/my_learning.html",
        data=services.my_learning(current_user, year),
        source_labels=SOURCE_LABELS,
        kind_labels=SESSION_KIND_LABELS,
        verb_labels=VERB_LABELS,
        reminders=reminders_for(current_user, ledger.local_time().date()),
    )


@bp.post("/lessons/<int:lesson_id>/finished")
@login_required
def finish_reading(lesson_id: int):
    lesson = _readable_lesson_or_404(lesson_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.confirm_reading(current_user, lesson)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Lesson completed."), "success")
    return redirect(url_for("courses.lesson", slug=lesson.course.slug, lesson_id=lesson.id))


REFUSAL_LABELS = {
    "bad_interval": _l("The interval is not a valid stretch of the video"),
    "bad_seconds": _l("The seconds read are not a valid number"),
    "bad_sequence": _l("The sequence number is missing or invalid"),
    "bad_session": _l("The viewing session is missing or invalid"),
    "beyond_duration": _l("Claimed beyond the end of the video"),
    "concurrent": _l("Another heartbeat of the member was being counted"),
    "faster_than_real_time": _l("More seconds claimed than real time allows"),
    "not_an_object": _l("Not a JSON object"),
    "not_json": _l("Not valid JSON"),
    "number_out_of_range": _l("A number out of range"),
    "too_deep": _l("A body nested too deeply"),
    "too_large": _l("A body too large"),
    "not_visible": _l("A lesson the member may not see"),
    "not_live": _l("The live lesson was not broadcasting"),
    "other_lesson": _l("Another lesson was being watched at the same time"),
    "replayed": _l("A heartbeat sent again"),
    "superseded": _l("From a tab or device replaced by a newer one"),
    "token_ended": _l("The viewing token had ended (signed out, password changed)"),
    "unknown_field": _l("Unknown fields sent"),
    "video_not_ready": _l("The video is not ready"),
}


@bp.get("/refusals")
@permission_required(course_permissions.can_author)
def refusals():
    """Refused heartbeats on the reviewer's courses, for spotting farming or a broken player."""
    lesson_id = int_arg("lesson", 1, MAX_COLUMN_INTEGER)
    return render_template(
        "progress/refusals.html",
        rows=heartbeats.refusals_for(current_user, lesson_id),
        lesson_id=lesson_id,
        labels=REFUSAL_LABELS,
    )


@bp.get("/certificates/<int:certificate_id>.pdf")
@login_required
def certificate_pdf(certificate_id: int):
    certificate = _own_certificate_or_404(certificate_id)
    verify_url = url_for("certificates.verify", code=certificate.code, _external=True)
    try:
        pdf = certificates.render_pdf(certificate, verify_url, _("Online Party School"))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("progress.my_learning"))
    return send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"certificate-{certificate.code}.pdf",
    )


# --- public verification --------------------------------------------------------------------------


@public_bp.get("/verify/<code>")
def verify(code: str):
    certificate = certificates.verify(code)
    status = 200 if certificate else 404
    return render_template("progress/verify.html", certificate=certificate, code=code[:40]), status
