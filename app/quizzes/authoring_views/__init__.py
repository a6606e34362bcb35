"""Trainers' quiz pages: question banks (import, export, rename, delete), questions (the editor per
kind and GIFT), quiz settings, grading, statistics. The routes live in this package's modules; each
is for trainers and admins (``@permission_required(permissions.can_author)``) and loads its bank,
quiz or question through the loaders below, scoped to what the user manages."""

from collections.abc import Callable

from flask import Blueprint, abort, redirect
from flask_login import current_user

from app.auth.forms import ConfirmForm
from app.extensions import db
from app.quizzes import permissions
from app.quizzes.models import Question, QuestionBank, Quiz
from app.quizzes.views import labels
from app.web import run_and_flash

bp = Blueprint("quiz_authoring", __name__, url_prefix="/quizzes", template_folder="../templates")
bp.context_processor(labels)


def bank_or_404(bank_id: int) -> QuestionBank:
    bank = db.session.scalars(
        permissions.managed_banks(current_user).where(QuestionBank.id == bank_id)
    ).first()
    if bank is None:
        abort(404)
    return bank


def quiz_or_404(quiz_id: int) -> Quiz:
    quiz = db.session.scalars(permissions.managed_quizzes(current_user).where(Quiz.id == quiz_id)).first()
    if quiz is None:
        abort(404)
    return quiz


def question_or_404(question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    bank_or_404(question.category.bank_id)  # another trainer's bank answers 404 too
    return question


def delete_confirmed(delete: Callable[[], object], success: str, listing: str, page: str):
    """Delete a bank or quiz once confirmed and go to ``listing``; unconfirmed or refused, back to its ``page``."""
    if ConfirmForm().validate_on_submit() and run_and_flash(delete, success):
        return redirect(listing)
    return redirect(page)


from app.quizzes.authoring_views import banks, questions, quizzes  # noqa: E402, F401 -- registers their routes
