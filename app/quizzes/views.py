"""Members' quiz pages: the quiz list, taking a quiz, the review, and 每日一练 daily practice."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.forms import ConfirmForm
from app.errors import DomainError
from app.extensions import db
from app.quizzes import permissions, usage
from app.quizzes.errors import AttemptClosedError, QuizError
from app.quizzes.forms import answers_from_fields, revision_from
from app.quizzes.kinds import KINDS, page_inputs_template
from app.quizzes.models import Attempt, AttemptStatus, Quiz
from app.quizzes.rendering import question_html
from app.quizzes.services import attempts, practice
from app.timeutil import utcnow

bp = Blueprint("quizzes", __name__, url_prefix="/quizzes", template_folder="templates")
bp.add_app_template_filter(question_html, "question_html")


@bp.context_processor
def labels() -> dict[str, object]:
    """The kinds for the pages: their labels, the kinds themselves, and each kind's page inputs."""
    return {
        "kind_labels": {name: kind.label for name, kind in KINDS.items()},
        "question_kinds": KINDS,
        "question_inputs": page_inputs_template,
    }


# --- taking quizzes (members) ----------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    standalone = permissions.takeable_quizzes().where(Quiz.id.not_in(usage.embedded_quiz_ids()))
    quizzes = list(db.session.scalars(standalone.order_by(Quiz.title)))
    mine = {
        attempt.quiz_id: attempt
        for attempt in db.session.scalars(permissions.own_attempts(current_user).order_by(Attempt.number))
    }
    return render_template("quizzes/index.html", quizzes=quizzes, mine=mine, now=utcnow())


@bp.get("/<int:quiz_id>")
@login_required
def quiz(quiz_id: int):
    quiz = permissions.takeable_quiz_or_404(quiz_id)
    now = utcnow()
    history = attempts.attempts_of(quiz, current_user)
    for attempt in history:
        attempts.close_if_overdue(attempt, now)
    return render_template(
        "quizzes/quiz.html",
        quiz=quiz,
        history=history,
        open_attempt=next((a for a in history if a.status is AttemptStatus.OPEN), None),
        attempts_left=attempts.attempts_left(quiz, current_user),
        form=ConfirmForm(),
        now=now,
    )


@bp.post("/<int:quiz_id>/start")
@login_required
def start(quiz_id: int):
    quiz = permissions.takeable_quiz_or_404(quiz_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attempt = attempts.start_attempt(quiz, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("quizzes.quiz", quiz_id=quiz.id))
    return redirect(url_for("quizzes.take", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    attempt = permissions.own_attempt_or_404(attempt_id)
    now = utcnow()
    if attempts.close_if_overdue(attempt, now):
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    return render_template(
        "quizzes/take.html",
        attempt=attempt,
        quiz=attempt.quiz,
        questions=attempts.page_questions(attempt),
        seconds_left=attempts.seconds_left(attempt, now),
        form=ConfirmForm(),
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    attempt = permissions.own_attempt_or_404(attempt_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        answers = answers_from_fields(request.form, attempt.snapshot)
        attempts.submit_attempt(attempt, current_user, answers, revision_from(request.form.get("revision")))
    except AttemptClosedError as error:
        flash(error.message, "info")
    except QuizError as error:
        flash(error.message, "error")
        target = "quizzes.take" if attempt.status is AttemptStatus.OPEN else "quizzes.review"
        return redirect(url_for(target, attempt_id=attempt.id))
    else:
        flash(_("Your answers have been submitted."), "success")
    return redirect(url_for("quizzes.review", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    attempt = permissions.own_attempt_or_404(attempt_id)
    if not attempts.close_if_overdue(attempt):
        return redirect(url_for("quizzes.take", attempt_id=attempt.id))
    reveal = attempts.reveal_for(attempt)
    return render_template(
        "quizzes/review.html",
        attempt=attempt,
        quiz=attempt.quiz,
        reveal=reveal,
        rows=attempts.review_questions(attempt, reveal),
    )


# --- 每日一练 daily practice (members) -----------------------------------------------------------


@bp.route("/daily", methods=["GET", "POST"])
@login_required
def daily():
    form = ConfirmForm()
    if request.method == "GET":
        questions = attempts.public_items(practice.draw_practice(), {})
        return render_template("quizzes/daily.html", questions=questions, form=form, results=None)
    if not form.validate_on_submit():
        abort(400)
    ids = [int(value) for value in request.form.getlist("ids") if value.isdigit()]
    items = practice.practice_items(ids)
    if items is None:
        abort(404)
    try:
        answers = answers_from_fields(request.form, items, page_fields={"csrf_token", "ids"})
        cleaned = attempts.clean_answers(items, answers)
    except QuizError as error:
        flash(error.message, "error")
        return redirect(url_for("quizzes.daily"))
    return render_template("quizzes/daily.html", results=practice.check_practice(items, cleaned), form=form)
