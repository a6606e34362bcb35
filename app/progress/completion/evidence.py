"""Evidence in: each public function here is one learning event and commits it once.

Inner functions (``complete_lesson``, ``evaluate_course``, ``quiz_outcome``, ``ledger.credit``,
``certificates.issue_certificate``) only flush, so a completion, its statement, its ledger entries
and its certificate are committed together by the operation that recorded the evidence, or not at
all: a crash part-way leaves nothing half-done, and the next evidence completes it whole.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import User
from app.courses import services as courses
from app.courses.models import CompletionRule, Lesson, LessonKind
from app.courses.quiz_link import lessons_of_quiz
from app.extensions import db, insert_unless_taken
from app.progress.completion.lessons import (
    complete_lesson,
    progress_of,
    seconds_until_readable,
    text_minimum_seconds,
)
from app.progress.errors import ProgressError
from app.progress.models import LessonProgress, Statement
from app.progress.statements import add_statement
from app.quizzes.models import Attempt, AttemptStatus
from app.quizzes.services.attempts import member_passed
from app.timeutil import utcnow


def open_lesson(member: User, lesson: Lesson, now: datetime | None = None) -> LessonProgress:
    """Record that the member opened the lesson (enrolling them) and apply its completion rule."""
    now = now or utcnow()
    courses.ensure_enrolled(member, lesson.course)
    progress = progress_of(member, lesson)
    first_visit = progress is None and (
        insert_unless_taken(LessonProgress, user_id=member.id, lesson_id=lesson.id, first_opened_at=now)
        is not None
    )
    if first_visit:
        add_statement(member.id, "started", "lesson", lesson.id, lesson.title, at=now)
    progress = progress_of(member, lesson)
    assert progress is not None  # inserted here or by the concurrent request that won
    if progress.completed_at is None and lesson.completion is CompletionRule.OPENED:
        if lesson.kind is not LessonKind.TEXT:
            complete_lesson(member, lesson, {"rule": "opened"}, now)
        elif seconds_until_readable(progress, lesson, now) == 0 and (
            not first_visit or text_minimum_seconds(lesson) == 0
        ):
            complete_lesson(member, lesson, {"rule": "opened", "confirmed_by": "visit"}, now)
    db.session.commit()
    db.session.refresh(progress)
    return progress


def confirm_reading(member: User, lesson: Lesson, now: datetime | None = None) -> bool:
    """The member says they finished reading a text lesson: the server's clock decides."""
    now = now or utcnow()
    progress = progress_of(member, lesson)
    if lesson.kind is not LessonKind.TEXT or progress is None:
        raise ProgressError(_("Open the lesson and read it first."))
    if progress.completed_at is not None:
        return False
    waiting = seconds_until_readable(progress, lesson, now)
    if waiting:
        raise ProgressError(
            _("Keep reading: this lesson counts after %(minutes)d more minute(s).", minutes=-(-waiting // 60))
        )
    completed = complete_lesson(member, lesson, {"rule": "opened", "confirmed_by": "member"}, now)
    db.session.commit()
    return completed


def complete_on_evidence(member: User, lesson: Lesson, evidence: dict[str, object], now: datetime) -> bool:
    """Complete a video, reading or live lesson on verified evidence, in the caller's transaction.

    ``evidence`` is what proved it (such as ``{"verified_seconds": 300, "event_ids": [...]}``); it is
    kept in the completion statement. Returns whether this call completed the lesson.
    """
    if lesson.kind not in (LessonKind.VIDEO, LessonKind.READING, LessonKind.LIVE):
        raise ProgressError(
            _("Only video, reading and live lessons are completed by watching, reading or attendance time.")
        )
    if not isinstance(evidence, dict) or not evidence:
        raise ProgressError(_("A completion needs the evidence behind it."))
    return complete_lesson(member, lesson, evidence, now)


def record_lesson_completed(
    member: User, lesson: Lesson, evidence: dict[str, object], now: datetime | None = None
) -> bool:
    """Record a video or reading lesson completed on verified evidence, as one event (committed)."""
    completed = complete_on_evidence(member, lesson, evidence, now or utcnow())
    db.session.commit()
    return completed


def quiz_outcome(member: User, lesson: Lesson, quiz_id: int, now: datetime) -> bool:
    """Check the member's finished attempts at the lesson's quiz and complete the lesson when its rule
    is met, in the caller's transaction; return whether this call completed it."""
    if lesson.kind is not LessonKind.QUIZ:
        raise ProgressError(_("This lesson has no quiz."))
    finished = db.session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.quiz_id == quiz_id,
            Attempt.member_id == member.id,
            Attempt.status == AttemptStatus.FINISHED,
        )
    )
    if not finished:
        return False
    passed = member_passed(quiz_id, member.id)
    verb = "passed" if passed else "failed"
    already = db.session.scalar(
        select(Statement.id).where(
            Statement.user_id == member.id,
            Statement.verb == verb,
            Statement.object_type == "quiz",
            Statement.object_id == quiz_id,
        )
    )
    if already is None:
        add_statement(member.id, verb, "quiz", quiz_id, lesson.title, {"lesson_id": lesson.id}, at=now)
    if passed or lesson.completion is CompletionRule.SUBMITTED:
        return complete_lesson(member, lesson, {"quiz_id": quiz_id, "passed": passed}, now)
    return False


def record_quiz_outcome(member: User, lesson: Lesson, quiz_id: int, now: datetime | None = None) -> bool:
    """Apply the member's attempts at the lesson's quiz to the lesson, as one event (committed)."""
    completed = quiz_outcome(member, lesson, quiz_id, now or utcnow())
    db.session.commit()
    return completed


def attempt_finished(attempt: Attempt, now: datetime) -> None:
    """Listener of the quiz domain's ``attempt_finished``: an attempt was submitted, closed at its
    deadline or (re)graded, in the caller's transaction; complete the quiz lessons built on its quiz
    whose rule is now met."""
    member = attempt.member
    for lesson in lessons_of_quiz(attempt.quiz_id):
        quiz_outcome(member, lesson, attempt.quiz_id, now)
