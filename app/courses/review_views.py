"""Review before publishing: the trainer's submit / new revision / withdraw actions and the reviewers'
queue and decision pages (services in app/courses/review.py)."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.courses import permissions, review
from app.courses.forms import KIND_LABELS, REVIEW_STATUS_LABELS, DecisionForm, SubmitForReviewForm
from app.courses.models import Course, CourseReview
from app.extensions import db
from app.markup import render_markdown
from app.web import run_and_flash

bp = Blueprint("course_review", __name__, url_prefix="/reviews", template_folder="templates")


@bp.before_request
@login_required
def require_sign_in():
    """Every review page needs a signed-in user; each route checks its role."""


def _editable(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    if not permissions.can_edit_course(current_user, course):
        abort(403)
    return course


def _editor(course: Course):
    return redirect(url_for("course_authoring.edit_course", course_id=course.id))


# --- trainers ---------------------------------------------------------------------------------------


@bp.post("/courses/<int:course_id>/revision")
def start_revision(course_id: int):
    """Open (or make) the working copy of a published course."""
    course = _editable(course_id)
    copies = []
    if run_and_flash(lambda: copies.append(review.start_revision(course, current_user))):
        return _editor(copies[0])
    return _editor(course)


@bp.post("/courses/<int:course_id>/submit")
def submit(course_id: int):
    course = _editable(course_id)
    form = SubmitForReviewForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: review.submit(course, current_user, form.note.data or ""),
            _("The course has been submitted: a reviewer will approve it or return it with comments."),
        )
    return _editor(course)


@bp.post("/courses/<int:course_id>/withdraw")
def withdraw(course_id: int):
    course = _editable(course_id)
    if DecisionForm().validate_on_submit():
        run_and_flash(
            lambda: review.withdraw(course, current_user),
            _("The submission has been withdrawn: you can change the course again."),
        )
    return _editor(course)


# --- reviewers --------------------------------------------------------------------------------------


def _require_reviewer() -> None:
    if not permissions.can_review(current_user):
        abort(403)


def _review(review_id: int) -> CourseReview:
    _require_reviewer()
    found = db.session.get(CourseReview, review_id)
    if found is None:
        abort(404)
    return found


@bp.get("/")
def queue():
    _require_reviewer()
    return render_template(
        "courses/review/queue.html",
        pending=list(db.session.scalars(review.pending_reviews())),
        decided=review.decided_reviews(),
        status_labels=REVIEW_STATUS_LABELS,
    )


@bp.get("/<int:review_id>")
def show(review_id: int):
    submission = _review(review_id)
    course = submission.course
    lessons = [
        (lesson, render_markdown(lesson.body))
        for module in course.modules
        if module.removed_at is None
        for lesson in module.current_lessons
    ]
    return render_template(
        "courses/review/review.html",
        review=submission,
        course=course,
        lessons=lessons,
        changes=review.lesson_changes(course),
        may_decide=review.may_decide(current_user, submission),
        form=DecisionForm(formdata=None),
        status_labels=REVIEW_STATUS_LABELS,
        kind_labels=KIND_LABELS,
    )


@bp.post("/<int:review_id>/approve")
def approve(review_id: int):
    submission = _review(review_id)
    form = DecisionForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: review.approve(submission, current_user, form.comments.data or ""),
            _("Approved: members now see this version of the course."),
        )
    return redirect(url_for("course_review.show", review_id=submission.id))


@bp.post("/<int:review_id>/return")
def return_for_changes(review_id: int):
    submission = _review(review_id)
    form = DecisionForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: review.return_for_changes(submission, current_user, form.comments.data or ""),
            _("Returned to the trainer with your comments."),
        )
    return redirect(url_for("course_review.show", review_id=submission.id))
