"""The progress domain's operations as other domains and the views call them.

Completion lives in ``completion/`` (evidence in, lesson and course completion, certificates); the
names below are re-exported here, the domain's stable import path. This module adds what a member
sees of their learning: their courses' progress and the 我的学习 page.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.auth.models import User
from app.courses import services as courses
from app.courses.models import Course, Enrolment, Lesson, Module
from app.extensions import db
from app.progress import ledger
from app.progress.completion import certificates
from app.progress.completion.courses import (
    completed_lesson_ids,
    credited_hours,
    current_lesson_ids,
    evaluate_course,
)
from app.progress.completion.evidence import (
    attempt_finished,
    complete_on_evidence,
    confirm_reading,
    open_lesson,
    quiz_outcome,
    record_lesson_completed,
    record_quiz_outcome,
)
from app.progress.completion.lessons import (
    complete_lesson,
    is_completed,
    lesson_credit,
    progress_of,
    seconds_until_readable,
    text_minimum_seconds,
)
from app.progress.errors import ProgressError
from app.progress.models import Attendance, Certificate, HourEntry, SourceKind, Statement, StudySession
from app.progress.statements import statements_of
from app.timeutil import utcnow

__all__ = [
    "CourseProgress",
    "MyLearning",
    "ProgressError",
    "attempt_finished",
    "complete_lesson",
    "complete_on_evidence",
    "completed_lesson_ids",
    "confirm_reading",
    "course_progress",
    "credited_hours",
    "current_lesson_ids",
    "evaluate_course",
    "is_completed",
    "lesson_credit",
    "my_learning",
    "open_lesson",
    "progress_of",
    "quiz_outcome",
    "record_lesson_completed",
    "record_quiz_outcome",
    "seconds_until_readable",
    "sessions_attended",
    "text_minimum_seconds",
]


@dataclass
class CourseProgress:
    course: Course
    required: bool
    due_date: date | None
    lessons: int
    completed: int
    certificate: Certificate | None = None

    @property
    def done(self) -> bool:
        return self.lessons > 0 and self.completed >= self.lessons

    @property
    def overdue(self) -> bool:
        return not self.done and self.due_date is not None and self.due_date < utcnow().date()


@dataclass
class MyLearning:
    year: int
    total: Decimal
    target: Decimal
    by_source: dict[SourceKind, Decimal]
    courses: list[CourseProgress] = field(default_factory=list)
    sessions: list[StudySession] = field(default_factory=list)
    recent: list[Statement] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    entries: list[HourEntry] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return min(100, int(self.total * 100 / self.target)) if self.target else 100


def course_progress(member: User) -> list[CourseProgress]:
    """The member's assigned and enrolled courses: required first, by deadline."""
    assigned = courses.member_assignments(member)
    enrolled = set(db.session.scalars(select(Enrolment.course_id).where(Enrolment.user_id == member.id)))
    course_ids = set(assigned) | enrolled
    issued = {
        cert.course_id: cert
        for cert in db.session.scalars(select(Certificate).where(Certificate.user_id == member.id))
    }
    # Every course's current lessons, and which of them the member completed, in one query each.
    current = db.session.execute(
        select(Lesson.course_id, Lesson.id)
        .join(Module, Lesson.module_id == Module.id)
        .where(Lesson.course_id.in_(course_ids), Lesson.removed_at.is_(None), Module.removed_at.is_(None))
    ).all()
    done = completed_lesson_ids(member.id, [lesson_id for _course_id, lesson_id in current])
    lessons: dict[int, int] = defaultdict(int)
    completed: dict[int, int] = defaultdict(int)
    for course_id, lesson_id in current:
        lessons[course_id] += 1
        completed[course_id] += lesson_id in done
    rows = []
    for course in db.session.scalars(select(Course).where(Course.id.in_(course_ids))):
        entry = assigned.get(course.id)
        rows.append(
            CourseProgress(
                course=course,
                required=bool(entry and entry.required),
                due_date=entry.due_date if entry else None,
                lessons=lessons[course.id],
                completed=completed[course.id],
                certificate=issued.get(course.id),
            )
        )
    return sorted(rows, key=lambda r: (r.done, not r.required, r.due_date or date.max, r.course.title))


def sessions_attended(member: User, year: int) -> list[StudySession]:
    return list(
        db.session.scalars(
            select(StudySession)
            .join(Attendance, Attendance.session_id == StudySession.id)
            .where(
                Attendance.user_id == member.id,
                StudySession.held_on >= date(year, 1, 1),
                StudySession.held_on <= date(year, 12, 31),
            )
            .order_by(StudySession.held_on.desc())
        )
    )


def my_learning(member: User, year: int) -> MyLearning:
    return MyLearning(
        year=year,
        total=ledger.total_for(member.id, year),
        target=ledger.target_for(member, year),
        by_source=ledger.hours_by_source(member.id, year),
        courses=course_progress(member),
        sessions=sessions_attended(member, year),
        recent=statements_of(member, limit=10),
        certificates=certificates.certificates_of(member),
        entries=ledger.entries_of(member, year),
    )
