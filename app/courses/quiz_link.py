"""A quiz lesson's real quiz: its GIFT file becomes a question bank and a published quiz.

Each version of a lesson's GIFT text gets its own bank and quiz (named by the text's hash), so a
changed quiz never alters the questions of attempts already taken, and re-importing an unchanged
course finds the quiz it made before. The lesson points at the current quiz (``Lesson.quiz_id``);
passing it completes the lesson (see ``record_quiz_result``).
"""

import hashlib
from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from app.auth.models import User
from app.courses.models import Course, Lesson, LessonKind
from app.courses.permissions import can_view_course
from app.errors import DomainError
from app.extensions import db
from app.quizzes.models import Category, Question, Quiz, QuizDrawRule, QuizMode, QuizQuestion
from app.quizzes.services import banks, quizzes
from app.quizzes.usage import QuizUsage


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


def may_take(user: User, quiz_id: int) -> bool | None:
    """A lesson's quiz is for those who may open one of its lessons' courses (None: no lesson's)."""
    lessons = lessons_of_quiz(quiz_id)
    return any(can_view_course(user, lesson.course) for lesson in lessons) if lessons else None


def lesson_quiz_ids() -> Select[int | None]:
    """The ids of quizzes made for lessons: members reach them through the lesson, not the quiz list."""
    return select(Lesson.quiz_id).where(Lesson.quiz_id.is_not(None))


def keep_reason(quiz: Quiz) -> str | None:
    """Why a quiz a lesson or a final exam refers to is kept, for its author; None when none does."""
    lessons = db.session.execute(
        select(Lesson, Course).join(Course, Lesson.course_id == Course.id).where(Lesson.quiz_id == quiz.id)
    ).all()
    for lesson, course in lessons:
        if lesson.key == course.final_exam_key:
            return _(
                "This quiz is the final exam of the course “%(course)s”, so it is kept.", course=course.title
            )
    if lessons:
        lesson, course = lessons[0]
        return _(
            "This quiz is the lesson “%(lesson)s” of the course “%(course)s”, so it is kept.",
            lesson=lesson.title,
            course=course.title,
        )
    return None


def finds_bank_by_name(quiz_ids: list[int]) -> bool:
    """Whether a lesson uses one of these quizzes: a course finds a lesson's bank by its name."""
    return db.session.scalar(select(Lesson.id).where(Lesson.quiz_id.in_(quiz_ids)).limit(1)) is not None


# What the quiz domain asks about the quizzes lessons use (subscribed by the courses' init_app).
QUIZ_USAGE = QuizUsage(
    embedded_ids=lesson_quiz_ids,
    may_take=may_take,
    keep_reason=keep_reason,
    finds_bank_by_name=finds_bank_by_name,
)
