"""Who may do what with question banks, quizzes and attempts: the one place for these rules.

Trainers and admins author banks and quizzes: a trainer manages the banks and quizzes they made,
an admin all of them (another trainer's answer 404). Every signed-in member takes published quizzes
and sees only their own attempts (other members' attempts answer 404, as if they did not exist).
The members' pages' and API's loaders (docs/architecture.md "Route permissions: one idiom") are here
too.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from app.auth.models import Role, User
from app.extensions import db
from app.quizzes import usage
from app.quizzes.models import Attempt, Category, Question, QuestionBank, Quiz

AUTHOR_ROLES = (Role.TRAINER, Role.ADMIN)


def can_author(user: User) -> bool:
    return user.is_authenticated and bool(user.roles.intersection(AUTHOR_ROLES))


def managed_banks(user: User) -> Select[QuestionBank]:
    """Select the banks the user manages: their own, or all for an admin."""
    statement = select(QuestionBank)
    return statement if user.has_role(Role.ADMIN) else statement.where(QuestionBank.created_by_id == user.id)


def managed_categories(user: User) -> Select[Category]:
    """Select the categories of the banks the user manages (what their quizzes may draw from)."""
    return (
        select(Category)
        .join(QuestionBank)
        .where(QuestionBank.id.in_(managed_banks(user).with_only_columns(QuestionBank.id)))
    )


def managed_questions(user: User) -> Select[Question]:
    """Select the questions of the banks the user manages (what their quizzes may hold)."""
    return (
        select(Question)
        .join(Category)
        .join(QuestionBank)
        .where(QuestionBank.id.in_(managed_banks(user).with_only_columns(QuestionBank.id)))
    )


def managed_quizzes(user: User) -> Select[Quiz]:
    """Select the quizzes the user manages: their own, or all for an admin."""
    statement = select(Quiz)
    return statement if user.has_role(Role.ADMIN) else statement.where(Quiz.created_by_id == user.id)


def takeable_quizzes() -> Select[Quiz]:
    """Select the quizzes members may take."""
    return select(Quiz).where(Quiz.published.is_(True))


def own_attempts(user: User) -> Select[Attempt]:
    """Select the user's own attempts: the only ones a member may open, save or review."""
    return select(Attempt).where(Attempt.member_id == user.id)


def takeable_quiz_or_404(quiz_id: int) -> Quiz:
    """A published quiz the signed-in member may take (a course's quiz only for its learners), else
    404 as if it did not exist."""
    quiz = db.session.scalars(takeable_quizzes().where(Quiz.id == quiz_id)).first()
    if quiz is None or not usage.may_take(current_user, quiz.id):
        abort(404)
    return quiz


def own_attempt_or_404(attempt_id: int) -> Attempt:
    """The signed-in member's attempt; another member's answers 404, as if it did not exist."""
    attempt = db.session.scalars(own_attempts(current_user).where(Attempt.id == attempt_id)).first()
    if attempt is None:
        abort(404)
    return attempt
