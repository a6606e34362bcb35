"""Completing a course: every current lesson completed, then its credit (course-hours rule) and its
certificate, once, in the caller's transaction."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from app.auth.models import User
from app.courses.models import Course, Lesson, Module
from app.extensions import db
from app.progress import ledger
from app.progress.completion import certificates
from app.progress.models import HourEntry, LessonProgress, RuleKind, SourceKind, Statement
from app.timeutil import utcnow


def current_lesson_ids(course: Course) -> list[int]:
    return list(
        db.session.scalars(
            select(Lesson.id)
            .join(Module, Lesson.module_id == Module.id)
            .where(Lesson.course_id == course.id, Lesson.removed_at.is_(None), Module.removed_at.is_(None))
        )
    )


def completed_lesson_ids(member_id: int, lesson_ids: list[int]) -> set[int]:
    if not lesson_ids:
        return set()
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.user_id == member_id,
                LessonProgress.lesson_id.in_(lesson_ids),
                LessonProgress.completed_at.is_not(None),
            )
        )
    )


def evaluate_course(member: User, course: Course, now: datetime | None = None, reason: str = "") -> bool:
    """When every current lesson is completed: credit the course once and issue its certificate, in
    the caller's transaction (``reason`` says why a credit is late, such as a repair)."""
    now = now or utcnow()
    lesson_ids = current_lesson_ids(course)
    if not lesson_ids or completed_lesson_ids(member.id, lesson_ids) != set(lesson_ids):
        return False
    rule = ledger.rule_for(member, now)
    if rule.kind is RuleKind.COURSE_HOURS:
        evidence = list(
            db.session.scalars(
                select(Statement.id).where(
                    Statement.user_id == member.id,
                    Statement.verb == "completed",
                    Statement.object_type == "lesson",
                    Statement.object_id.in_(lesson_ids),
                )
            )
        )
        ledger.credit(
            member.id,
            SourceKind.COURSE,
            course.id,
            Decimal(course.credit_hours),
            course.title,
            rule.label,
            evidence,
            ledger.local_year(now),
            reason=reason,
        )
    certificates.issue_certificate(member, course, credited_hours(member.id, course), now)
    return True


def credited_hours(member_id: int, course: Course) -> Decimal:
    """Hours the member was credited for this course (its own credit, or its lessons' and exams')."""
    lesson_ids = select(Lesson.id).where(Lesson.course_id == course.id)
    total = db.session.scalar(
        select(func.coalesce(func.sum(HourEntry.hours), 0)).where(
            HourEntry.user_id == member_id,
            (
                (HourEntry.source_kind == SourceKind.COURSE) & (HourEntry.source_id == course.id)
                | (HourEntry.source_kind.in_([SourceKind.LESSON, SourceKind.EXAM]))
                & (HourEntry.source_id.in_(lesson_ids))
            ),
        )
    )
    return Decimal(str(total))
