"""Quizzes: their settings, fixed questions and random draw rules. A lesson refers to a quiz by id."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.audit.services import record_audit
from app.auth.models import User
from app.extensions import db
from app.quizzes import usage
from app.quizzes.errors import QuizError
from app.quizzes.kinds import kind_names
from app.quizzes.models import (
    Attempt,
    Category,
    Question,
    Quiz,
    QuizDrawRule,
    QuizMode,
    QuizQuestion,
    RevealPolicy,
)


@dataclass
class QuizSettings:
    title: str
    description: str = ""
    mode: QuizMode = QuizMode.FIXED
    shuffle_questions: bool = False
    shuffle_options: bool = True
    time_limit_minutes: int | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    attempts_allowed: int = 1
    pass_mark: float = 60.0
    reveal: RevealPolicy = RevealPolicy.AFTER_SUBMIT
    published: bool = False


def _check_settings(settings: QuizSettings) -> None:
    if not settings.title.strip() or len(settings.title) > 200:
        raise QuizError(_("A quiz title must have 1 to 200 characters."))
    if settings.time_limit_minutes is not None and not 1 <= settings.time_limit_minutes <= 24 * 60:
        raise QuizError(_("The time limit runs from 1 minute to 24 hours."))
    if settings.attempts_allowed < 0:
        raise QuizError(_("The number of attempts cannot be negative (0 means unlimited)."))
    if not 0 <= settings.pass_mark <= 100:
        raise QuizError(_("The pass mark is a percentage from 0 to 100."))
    if settings.opens_at and settings.closes_at and settings.opens_at >= settings.closes_at:
        raise QuizError(_("The quiz must open before it closes."))


def _apply(quiz: Quiz, settings: QuizSettings) -> None:
    for name, value in vars(settings).items():
        setattr(quiz, name, value.strip() if isinstance(value, str) else value)


def create_quiz(settings: QuizSettings, created_by: User | None) -> Quiz:
    """Create a quiz, not yet open to members whatever ``settings.published`` says: it has no
    questions or draw rules yet (``publish_problem`` says what to add before it can open)."""
    _check_settings(settings)
    quiz = Quiz(created_by_id=created_by.id if created_by else None)
    _apply(quiz, settings)
    quiz.published = False
    db.session.add(quiz)
    db.session.commit()
    return quiz


def publish_problem(quiz: Quiz) -> str | None:
    """What keeps the quiz from opening to members (no questions, no draw rule, too few to draw), or None."""
    try:
        _check_ready(quiz, quiz.mode)
    except QuizError as error:
        return error.message
    return None


def update_quiz(quiz: Quiz, settings: QuizSettings, actor: User | None = None) -> None:
    """Save a quiz's settings; a new title is recorded in the audit log as a rename."""
    _check_settings(settings)
    if settings.published:
        _check_ready(quiz, settings.mode)
    title = settings.title.strip()
    if title != quiz.title:
        record_audit(actor, "quiz.rename", "quiz", quiz.id, {"from": quiz.title, "to": title})
    _apply(quiz, settings)
    db.session.commit()


def delete_quiz(quiz: Quiz, actor: User | None) -> None:
    """Delete a quiz nobody has attempted and no course lesson (or final exam) refers to."""
    if db.session.scalar(select(Attempt.id).where(Attempt.quiz_id == quiz.id).limit(1)):
        raise QuizError(_("Members have attempted this quiz, so it is kept with their results."))
    reason = usage.keep_reason(quiz)  # a course lesson or final exam refers to it
    if reason:
        raise QuizError(reason)
    record_audit(actor, "quiz.delete", "quiz", quiz.id, {"title": quiz.title})
    db.session.delete(quiz)
    db.session.commit()


def _check_ready(quiz: Quiz, mode: QuizMode) -> None:
    if mode is QuizMode.FIXED and not quiz.slots:
        raise QuizError(_("Add questions before publishing the quiz."))
    if mode is QuizMode.RANDOM:
        if not quiz.draw_rules:
            raise QuizError(_("Add a random draw rule before publishing the quiz."))
        for rule in quiz.draw_rules:
            available = len(category_question_ids(rule.category))
            if available < rule.count:
                raise QuizError(
                    _(
                        "The category “%(category)s” has %(available)d questions; the quiz draws %(count)d.",
                        category=rule.category.path,
                        available=available,
                        count=rule.count,
                    )
                )


def set_fixed_questions(quiz: Quiz, questions: list[Question]) -> None:
    """Make ``questions`` the quiz's fixed questions, in this order."""
    if len({question.id for question in questions}) != len(questions):
        raise QuizError(_("A question can be in a quiz only once."))
    quiz.slots = [QuizQuestion(question=question, position=index) for index, question in enumerate(questions)]
    db.session.commit()


def add_draw_rule(quiz: Quiz, category: Category, count: int) -> QuizDrawRule:
    if not 1 <= count <= 500:
        raise QuizError(_("Draw from 1 to 500 questions per category."))
    rule = QuizDrawRule(quiz=quiz, category=category, count=count)
    db.session.add(rule)
    db.session.commit()
    return rule


def remove_draw_rule(quiz: Quiz, rule_id: int) -> None:
    quiz.draw_rules = [rule for rule in quiz.draw_rules if rule.id != rule_id]
    db.session.commit()


def category_question_ids(category: Category) -> list[int]:
    """Ids of the gradable questions in a category and its sub-categories."""
    return list(
        db.session.scalars(
            select(Question.id)
            .join(Category, Question.category_id == Category.id)
            .where(
                Category.bank_id == category.bank_id,
                or_(
                    Category.path == category.path,
                    Category.path.startswith(category.path + "/", autoescape=True),
                )
                if category.path
                else Category.bank_id == category.bank_id,
                Question.kind.not_in(kind_names(lambda kind: not kind.answerable)),
            )
            .order_by(Question.id)
        )
    )
