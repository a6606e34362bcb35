"""The completion engine: evidence in, lesson → course completion → credit, in one transaction.

- text lesson: opened, and at least a share of its estimated minutes since it was first opened
  (``PROGRESS_TEXT_MIN_SHARE``, default half), confirmed by "I have finished reading" or a later visit;
- video and reading lessons: ``complete_on_evidence`` (called by the heartbeat code with its
  verified evidence); a video or reading lesson whose rule is ``opened`` completes when opened;
- quiz lesson: ``quiz_outcome`` (passed, or submitted when that is the lesson's rule), run by the
  quiz domain's ``attempt_finished`` listeners whenever an attempt finishes or is graded;
- course: every current lesson completed; then its hours are credited once and a certificate issued.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.auth.models import User
from app.courses import services as courses
from app.courses.models import CompletionRule, Course, Enrolment, Lesson, LessonKind, Module
from app.courses.quiz_link import lessons_of_quiz
from app.errors import DomainError
from app.extensions import db, insert_unless_taken
from app.progress import certificates, ledger
from app.progress.models import (
    Attendance,
    Certificate,
    HourEntry,
    LessonProgress,
    RuleKind,
    SourceKind,
    Statement,
    StudySession,
)
from app.progress.statements import add_statement, statements_of
from app.quizzes.models import Attempt, AttemptStatus
from app.quizzes.services.attempts import member_passed
from app.timeutil import utcnow


class ProgressError(DomainError):
    pass


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


# --- evidence in: each public function here is one learning event and commits it once ----------
#
# Inner functions (``complete_lesson``, ``evaluate_course``, ``quiz_outcome``, ``ledger.credit``,
# ``certificates.issue_certificate``) only flush, so a completion, its statement, its ledger entries
# and its certificate are committed together by the operation that recorded the evidence, or not at
# all: a crash part-way leaves nothing half-done, and the next evidence completes it whole.


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


def complete_on_evidence(member: User, lesson: Lesson, evidence: dict, now: datetime) -> bool:
    """Complete a video or reading lesson on verified evidence, in the caller's transaction.

    ``evidence`` is what proved it (such as ``{"verified_seconds": 300, "event_ids": [...]}``); it is
    kept in the completion statement. Returns whether this call completed the lesson.
    """
    if lesson.kind not in (LessonKind.VIDEO, LessonKind.READING):
        raise ProgressError(_("Only video and reading lessons are completed by watching or reading time."))
    if not isinstance(evidence, dict) or not evidence:
        raise ProgressError(_("A completion needs the evidence behind it."))
    return complete_lesson(member, lesson, evidence, now)


def record_lesson_completed(
    member: User, lesson: Lesson, evidence: dict, now: datetime | None = None
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


# --- completion and credit ------------------------------------------------------------------------


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
    if db.session.execute(mark).rowcount:
        return True
    inserted = insert_unless_taken(
        LessonProgress, user_id=member.id, lesson_id=lesson.id, first_opened_at=now, completed_at=now
    )
    # A row taken by a concurrent first visit may still be open: the update decides once more.
    return inserted is not None or bool(db.session.execute(mark).rowcount)


def lesson_credit(rule: ledger.EffectiveRule, lesson: Lesson) -> tuple[SourceKind, Decimal]:
    """What a completed lesson credits under a time-band rule: an exam's hours for a quiz lesson, else
    the band of its length (none under the course-hours rule, which credits the course instead)."""
    if rule.kind is not RuleKind.TIME_BANDS:
        return SourceKind.LESSON, Decimal("0")
    if lesson.kind is LessonKind.QUIZ:
        return SourceKind.EXAM, rule.exam_hours
    return SourceKind.LESSON, rule.lesson_hours(lesson.estimated_minutes)


def complete_lesson(member: User, lesson: Lesson, evidence: dict, now: datetime) -> bool:
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


# --- what a member sees ---------------------------------------------------------------------------


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
    by_source: dict
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
