"""Review before publishing: the trainer's submit / new revision / withdraw actions and the reviewers'
queue and decision pages (services in app/courses/review.py)."""

from collections.abc import Callable

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.permissions import permission_required
from app.courses import permissions, review
from app.courses.forms import KIND_LABELS, REVIEW_STATUS_LABELS, DecisionForm, SubmitForReviewForm
from app.courses.models import Course, CourseReview
from app.extensions import db
from app.markup import render_markdown
from app.web import run_and_flash

bp = Blueprint("course_review", __name__, url_prefix="/reviews", template_folder="templates")


def _editable_or_404(course_id: int) -> Course:
    """A course that exists (else 404) and that the user may edit (else 403)."""
    course = db.get_or_404(Course, course_id)
    if not permissions.can_edit_course(current_user, course):
        abort(403)
    return course


def _editor(course: Course):
    return redirect(url_for("course_authoring.edit_course", course_id=course.id))


# --- trainers ---------------------------------------------------------------------------------------


@bp.post("/courses/<int:course_id>/revision")
@login_required
def start_revision(course_id: int):
    """Open (or make) the working copy of a published course."""
    course = _editable_or_404(course_id)
    copies = []
    if run_and_flash(lambda: copies.append(review.start_revision(course, current_user))):
        return _editor(copies[0])
    return _editor(course)


@bp.post("/courses/<int:course_id>/submit")
@login_required
def submit(course_id: int):
    course = _editable_or_404(course_id)
    form = SubmitForReviewForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: review.submit(course, current_user, form.note.data or ""),
            _("The course has been submitted: a reviewer will approve it or return it with comments."),
        )
    return _editor(course)


@bp.post("/courses/<int:course_id>/withdraw")
@login_required
def withdraw(course_id: int):
    course = _editable_or_404(course_id)
    if DecisionForm().validate_on_submit():
        run_and_flash(
            lambda: review.withdraw(course, current_user),
            _("The submission has been withdrawn: you can change the course again."),
        )
    return _editor(course)


# --- reviewers --------------------------------------------------------------------------------------


def _review_or_404(review_id: int) -> CourseReview:
    """A review, for a reviewer (the routes' decorator lets only reviewers in)."""
    return db.get_or_404(CourseReview, review_id)


@bp.get("/")
@permission_required(permissions.can_review)
def queue():
    return render_template(
        "courses/review/queue.html",
        pending=list(db.session.scalars(review.pending_reviews())),
        decided=review.decided_reviews(),
        status_labels=REVIEW_STATUS_LABELS,
    )


@bp.get("/<int:review_id>")
@permission_required(permissions.can_review)
def show(review_id: int):
    submission = _review_or_404(review_id)
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


def _decide(submission: CourseReview, decide: Callable[[str], object], success: str):
    """Record the reviewer's decision with the comments of the DecisionForm, then show the review again."""
    form = DecisionForm()
    if form.validate_on_submit():
        run_and_flash(lambda: decide(form.comments.data or ""), success)
    return redirect(url_for("course_review.show", review_id=submission.id))


@bp.post("/<int:review_id>/approve")
@permission_required(permissions.can_review)
def approve(review_id: int):
    submission = _review_or_404(review_id)
    return _decide(
        submission,
        lambda comments: review.approve(submission, current_user, comments),
        _("Approved: members now see this version of the course."),
    )


@bp.post("/<int:review_id>/return")
@permission_required(permissions.can_review)
def return_for_changes(review_id: int):
    submission = _review_or_404(review_id)
    return _decide(
        submission,
        lambda comments: review.return_for_changes(submission, current_user, comments),
        _("Returned to the trainer with your comments."),
    )
