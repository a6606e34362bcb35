"""Completing a lesson: once, with its statement, its credit under a time-band rule, then its course.

All in the caller's transaction (flushed): the operation that recorded the evidence commits once
(completion/evidence.py, the heartbeats, the quiz listener).
"""

from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import CursorResult, Update, select, update

from app.auth.models import User
from app.courses.models import Lesson, LessonKind
from app.extensions import db, insert_unless_taken
from app.progress import ledger
from app.progress.completion.courses import evaluate_course
from app.progress.models import LessonProgress, RuleKind, SourceKind
from app.progress.statements import add_statement
from app.timeutil import utcnow


def text_minimum_seconds(lesson: Lesson) -> int:
    share = float(current_app.config["PROGRESS_TEXT_MIN_SHARE"])
    return int(lesson.estimated_minutes * 60 * share)


def progress_of(member: User, lesson: Lesson) -> LessonProgress | None:
    return db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == member.id, LessonProgress.lesson_id == lesson.id
        )
    )


def is_completed(member: User, lesson: Lesson) -> bool:
    progress = progress_of(member, lesson)
    return progress is not None and progress.completed_at is not None


def seconds_until_readable(progress: LessonProgress, lesson: Lesson, now: datetime | None = None) -> int:
    """How long until a text lesson may count as read (0: now)."""
    elapsed = ((now or utcnow()) - progress.first_opened_at).total_seconds()
    return max(0, int(text_minimum_seconds(lesson) - elapsed))


def _changed(statement: Update) -> int:
    """Run an UPDATE in the caller's transaction; how many rows it changed."""
    result = db.session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount


def _mark_completed(member: User, lesson: Lesson, now: datetime) -> bool:
    """Set completed_at once, in the caller's transaction: a conditional update (or an insert when
    the member never opened the lesson), so two requests cannot both complete it."""
    mark = (
        update(LessonProgress)
        .where(
            LessonProgress.user_id == member.id,
            LessonProgress.lesson_id == lesson.id,
            LessonProgress.completed_at.is_(None),
        )
        .values(completed_at=now)
        .execution_options(synchronize_session=False)
    )
    if _changed(mark):
        return True
    inserted = insert_unless_taken(
        LessonProgress, user_id=member.id, lesson_id=lesson.id, first_opened_at=now, completed_at=now
    )
    # A row taken by a concurrent first visit may still be open: the update decides once more.
    return inserted is not None or bool(_changed(mark))


def lesson_credit(rule: ledger.EffectiveRule, lesson: Lesson) -> tuple[SourceKind, Decimal]:
    """What a completed lesson credits under a time-band rule: an exam's hours for a quiz lesson, else
    the band of its length (none under the course-hours rule, which credits the course instead)."""
    if rule.kind is not RuleKind.TIME_BANDS:
        return SourceKind.LESSON, Decimal("0")
    if lesson.kind is LessonKind.QUIZ:
        return SourceKind.EXAM, rule.exam_hours
    return SourceKind.LESSON, rule.lesson_hours(lesson.estimated_minutes)


def complete_lesson(member: User, lesson: Lesson, evidence: dict[str, object], now: datetime) -> bool:
    """Complete the lesson once, credit it under a time-based rule, then check the course; all in the
    caller's transaction (flushed). Return whether this call completed it."""
    if not _mark_completed(member, lesson, now):
        return False
    statement = add_statement(member.id, "completed", "lesson", lesson.id, lesson.title, evidence, at=now)
    db.session.flush()
    rule = ledger.rule_for(member, now)
    if rule.kind is RuleKind.TIME_BANDS:
        kind, hours = lesson_credit(rule, lesson)
        ledger.credit(
            member.id,
            kind,
            lesson.id,
            hours,
            lesson.title,
            rule.label,
            [statement.id],
            ledger.local_year(now),
        )
    evaluate_course(member, lesson.course, now)
    return True
