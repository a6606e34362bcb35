"""A quiz lesson's real quiz: its GIFT file becomes a question bank and a published quiz.

Each version of a lesson's GIFT text gets its own bank and quiz (named by the text's hash), so a
changed quiz never alters the questions of attempts already taken, and re-importing an unchanged
course finds the quiz it made before. The lesson points at the current quiz (``Lesson.quiz_id``);
passing it completes the lesson (see ``record_quiz_result``).
"""

import hashlib
from dataclasses import replace

from sqlalchemy import Select, or_, select

from app.auth.models import User
from app.courses.models import Lesson, LessonKind
from app.courses.permissions import can_view_course
from app.errors import DomainError
from app.extensions import db
from app.quizzes.models import Category, Question, Quiz, QuizDrawRule, QuizMode, QuizQuestion
from app.quizzes.services import banks, quizzes


def bank_name(lesson: Lesson) -> str:
    digest = hashlib.sha256((lesson.quiz_source or "").encode()).hexdigest()[:10]
    return f"{lesson.course.slug}/{lesson.key}@{digest}"[-100:]


def quiz_settings(lesson: Lesson) -> quizzes.QuizSettings:
    settings = lesson.quiz_settings or {}
    return quizzes.QuizSettings(
        title=f"{lesson.course.title}：{lesson.title}"[:200],
        mode=QuizMode.RANDOM if settings.get("questions") else QuizMode.FIXED,
        shuffle_questions=bool(settings.get("shuffle", False)),
        time_limit_minutes=settings.get("time_limit"),
        attempts_allowed=settings.get("attempts", 0),
        pass_mark=float(settings.get("pass_score", 60)),
        published=True,
    )


def _quiz_using(bank_id: int) -> Quiz | None:
    """The quiz made from a bank: the one whose fixed questions or draw rules come from it."""
    from_slots = select(QuizQuestion.quiz_id).join(Question).join(Category).where(Category.bank_id == bank_id)
    from_rules = select(QuizDrawRule.quiz_id).join(Category).where(Category.bank_id == bank_id)
    return db.session.scalar(select(Quiz).where(or_(Quiz.id.in_(from_slots), Quiz.id.in_(from_rules))))


def link_quiz(lesson: Lesson, owner: User | None) -> Quiz | None:
    """Make (or find) the lesson's quiz for its current GIFT text and point the lesson at it."""
    if lesson.kind is not LessonKind.QUIZ or not lesson.quiz_source:
        return None
    name = bank_name(lesson)
    settings = quiz_settings(lesson)
    bank = banks.find_bank(name)
    quiz = _quiz_using(bank.id) if bank else None
    if quiz is None:
        bank = bank or banks.create_bank(name, owner, description=lesson.title)
        if not bank.categories:
            report = banks.import_gift(bank, lesson.quiz_source, strict=True)
            if not report.ok:  # the folder parser checks the GIFT first; a browser edit may not have
                line, problem = report.errors[0]
                raise DomainError(f"{lesson.quiz_path or lesson.key}:{line}: {problem}")
        quiz = quizzes.create_quiz(replace(settings, published=False), owner)
        draw = (lesson.quiz_settings or {}).get("questions")
        if draw:
            top = next(category for category in bank.categories if category.parent_id is None)
            quizzes.add_draw_rule(quiz, top, min(draw, len(quizzes.category_question_ids(top))))
        else:
            quizzes.set_fixed_questions(quiz, banks.bank_questions(bank))
    quizzes.update_quiz(quiz, settings, owner)  # a course edit renaming the quiz is the editor's act
    if lesson.quiz_id != quiz.id:
        lesson.quiz_id = quiz.id
        db.session.commit()
    return quiz


def lessons_of_quiz(quiz_id: int) -> list[Lesson]:
    return list(
        db.session.scalars(select(Lesson).where(Lesson.quiz_id == quiz_id, Lesson.removed_at.is_(None)))
    )


def may_take(user: User, quiz_id: int) -> bool:
    """A lesson's quiz is for those who may open one of its lessons' courses; other quizzes for all."""
    lessons = lessons_of_quiz(quiz_id)
    return not lessons or any(can_view_course(user, lesson.course) for lesson in lessons)


def lesson_quiz_ids() -> Select[int | None]:
    """The ids of quizzes made for lessons: members reach them through the lesson, not the quiz list."""
    return select(Lesson.quiz_id).where(Lesson.quiz_id.is_not(None))
