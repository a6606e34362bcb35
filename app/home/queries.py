"""What the member's home shows: where to continue, quizzes waiting, the pace against the target.

Read-only: each block is one or two bounded queries, whatever the number of lessons, notices or
replies; per-course figures come from ``progress.services.course_progress`` (the one place they are
computed), courses' lesson lists are read for all candidate courses at once.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, Subquery, func, or_, select, union_all

from app.auth.models import Role, User
from app.courses.models import Course, CourseStatus, Lesson, LessonKind, Module
from app.courses.quiz_link import lesson_quiz_ids
from app.discussions import services as discussions
from app.discussions.models import Post
from app.extensions import db
from app.notices import services as notices
from app.notices.services import InboxRow
from app.progress import ledger
from app.progress.models import LessonProgress, ReadingProgress, VideoProgress, Viewer
from app.progress.services import CourseProgress, course_progress
from app.quizzes.models import Attempt, AttemptStatus, Quiz
from app.quizzes.permissions import takeable_quizzes
from app.reports.pace import expected_hours
from app.timeutil import utcnow

Columns = TypeVarTuple("Columns")

RECENT_LESSONS = 20  # the lessons looked at when the latest one's course is finished
WAITING_QUIZZES = 8


@dataclass
class NextStep:
    """The lesson to go on with: the one last studied, or the next one of its course."""

    lesson: Lesson
    resume_at: float = 0.0  # seconds into a video lesson where the member stopped (0: the start)
    started: bool = True  # False: a lesson not opened yet (the next one, or a first lesson)


def _current_lessons() -> Select[Lesson]:
    """Lessons a member may study: current, in a current module of a published course."""
    return (
        select(Lesson)
        .join(Module, Lesson.module_id == Module.id)
        .join(Course, Lesson.course_id == Course.id)
        .where(
            Lesson.removed_at.is_(None),
            Module.removed_at.is_(None),
            Course.status == CourseStatus.PUBLISHED,
        )
    )


def _recent_lessons(member: User) -> list[tuple[Lesson, datetime, float, bool]]:
    """The member's most recently studied lessons, newest first, with the video resume point and
    whether each is completed; "studied" is the latest of every trace a lesson leaves: opened,
    completed, a viewing session opened (video or reading page), a video or reading heartbeat."""
    traces = union_all(
        select(LessonProgress.lesson_id, LessonProgress.first_opened_at.label("at")).where(
            LessonProgress.user_id == member.id
        ),
        select(LessonProgress.lesson_id, LessonProgress.completed_at).where(
            LessonProgress.user_id == member.id, LessonProgress.completed_at.is_not(None)
        ),
        select(VideoProgress.lesson_id, VideoProgress.updated_at).where(VideoProgress.user_id == member.id),
        select(ReadingProgress.lesson_id, ReadingProgress.updated_at).where(
            ReadingProgress.user_id == member.id
        ),
        select(Viewer.session_lesson_id, Viewer.session_opened_at).where(
            Viewer.user_id == member.id,
            Viewer.session_lesson_id.is_not(None),
            Viewer.session_opened_at.is_not(None),
        ),
    ).subquery()
    latest = (
        select(traces.c.lesson_id, func.max(traces.c.at).label("at")).group_by(traces.c.lesson_id).subquery()
    )
    statement = (
        _current_lessons()
        .join(latest, latest.c.lesson_id == Lesson.id)
        .outerjoin(
            VideoProgress, (VideoProgress.lesson_id == Lesson.id) & (VideoProgress.user_id == member.id)
        )
        .outerjoin(
            LessonProgress, (LessonProgress.lesson_id == Lesson.id) & (LessonProgress.user_id == member.id)
        )
        .add_columns(latest.c.at, VideoProgress.resume_at, LessonProgress.completed_at.is_not(None))
        .order_by(latest.c.at.desc(), Lesson.id.desc())
        .limit(RECENT_LESSONS)
    )
    return [
        (lesson, at, resume_at or 0.0, bool(done))
        for lesson, at, resume_at, done in db.session.execute(statement)
    ]


def _lessons_in_order(course_ids: set[int]) -> dict[int, list[Lesson]]:
    """The current lessons of these courses in reading order, per course (one query)."""
    ordered: dict[int, list[Lesson]] = {course_id: [] for course_id in course_ids}
    if course_ids:
        statement = (
            _current_lessons()
            .where(Lesson.course_id.in_(course_ids))
            .order_by(Lesson.course_id, Module.position, Module.id, Lesson.position, Lesson.id)
        )
        for lesson in db.session.scalars(statement):
            ordered[lesson.course_id].append(lesson)
    return ordered


def _completed(member: User, course_ids: set[int]) -> set[int]:
    if not course_ids:
        return set()
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_id)
            .join(Lesson, LessonProgress.lesson_id == Lesson.id)
            .where(
                LessonProgress.user_id == member.id,
                LessonProgress.completed_at.is_not(None),
                Lesson.course_id.in_(course_ids),
            )
        )
    )


def _next_open(lessons: list[Lesson], after: Lesson | None, completed: set[int]) -> Lesson | None:
    """The first lesson not completed after ``after`` in reading order, else the first before it."""
    start = lessons.index(after) + 1 if after in lessons else 0
    for lesson in lessons[start:] + lessons[:start]:
        if lesson.id not in completed:
            return lesson
    return None


def next_step(member: User, courses: list[CourseProgress]) -> NextStep | None:
    """Where the member goes on: the last lesson studied when it is not completed (a video at its
    resume point); else the next open lesson of that course; when that course is finished, the
    same for the course studied before it; with no study yet, the first lesson of the first
    unfinished course (``courses`` in ``course_progress`` order: required first, by deadline)."""
    recent = _recent_lessons(member)
    if recent and not recent[0][3]:
        lesson, _at, resume_at, _done = recent[0]
        return NextStep(lesson, resume_at if lesson.kind is LessonKind.VIDEO else 0.0)
    pending = [row.course.id for row in courses if not row.done]
    course_ids = {lesson.course_id for lesson, *_rest in recent} | set(pending[:1])
    ordered = _lessons_in_order(course_ids)
    completed = _completed(member, course_ids)
    resume = {lesson.id: resume_at for lesson, _at, resume_at, _done in recent}
    tried: set[int] = set()
    for lesson, *_rest in recent:
        if lesson.course_id in tried:
            continue
        tried.add(lesson.course_id)
        following = _next_open(ordered[lesson.course_id], lesson, completed)
        if following is not None:
            started = following.id in resume
            at = resume.get(following.id, 0.0) if following.kind is LessonKind.VIDEO else 0.0
            return NextStep(following, at, started)
    if pending and pending[0] in ordered:
        first = _next_open(ordered[pending[0]], None, completed)
        if first is not None:
            return NextStep(first, 0.0, started=False)
    return None


@dataclass
class WaitingQuiz:
    quiz: Quiz
    lesson: Lesson | None = None  # the quiz lesson, for a course's quiz
    due_date: date | None = None  # the course's deadline, for a required course's quiz
    attempted: bool = False  # an attempt is open, or finished without passing


def _attempts(member: User) -> Subquery:
    """Per quiz, the member's finished attempts and whether one is open (a subquery)."""
    return (
        select(
            Attempt.quiz_id,
            func.count(Attempt.id).filter(Attempt.status == AttemptStatus.FINISHED).label("finished"),
            func.count(Attempt.id).label("all"),
        )
        .where(Attempt.member_id == member.id)
        .group_by(Attempt.quiz_id)
        .subquery()
    )


def _open_now(statement: Select[*Columns], now: datetime) -> Select[*Columns]:
    return statement.where(
        or_(Quiz.opens_at.is_(None), Quiz.opens_at <= now),
        or_(Quiz.closes_at.is_(None), Quiz.closes_at > now),
    )


def _attempts_left(attempts: Subquery) -> ColumnElement[bool]:
    return or_(Quiz.attempts_allowed == 0, func.coalesce(attempts.c.finished, 0) < Quiz.attempts_allowed)


def waiting_quizzes(
    member: User, courses: list[CourseProgress], now: datetime | None = None
) -> list[WaitingQuiz]:
    """Quizzes the member still has to take and can take now: the quiz lessons of their courses
    not completed yet (those of required courses first, by deadline), then the standalone quizzes
    they never finished an attempt at. Two queries."""
    now = now or utcnow()
    order = {row.course.id: (index, row) for index, row in enumerate(courses)}
    waiting: list[WaitingQuiz] = []
    if order:
        attempts = _attempts(member)
        done = (
            select(LessonProgress.id)
            .where(
                LessonProgress.lesson_id == Lesson.id,
                LessonProgress.user_id == member.id,
                LessonProgress.completed_at.is_not(None),
            )
            .exists()
        )
        statement = _open_now(
            _current_lessons()
            .join(Quiz, Lesson.quiz_id == Quiz.id)
            .outerjoin(attempts, attempts.c.quiz_id == Quiz.id)
            .add_columns(Quiz, func.coalesce(attempts.c["all"], 0))
            .where(
                Lesson.kind == LessonKind.QUIZ,
                Lesson.course_id.in_(list(order)),
                Quiz.published.is_(True),
                ~done,
                _attempts_left(attempts),
            ),
            now,
        )
        rows = sorted(
            db.session.execute(statement), key=lambda row: (order[row[0].course_id][0], row[0].position)
        )
        for lesson, quiz, tried in rows:
            course = order[lesson.course_id][1]
            due = course.due_date if course.required else None
            waiting.append(WaitingQuiz(quiz, lesson, due, bool(tried)))
    attempts = _attempts(member)
    standalone = _open_now(
        takeable_quizzes()
        .outerjoin(attempts, attempts.c.quiz_id == Quiz.id)
        .add_columns(func.coalesce(attempts.c["all"], 0))
        .where(Quiz.id.not_in(lesson_quiz_ids()), func.coalesce(attempts.c.finished, 0) == 0)
        .order_by(Quiz.closes_at.is_(None), Quiz.closes_at, Quiz.title, Quiz.id)
        .limit(WAITING_QUIZZES),
        now,
    )
    waiting += [WaitingQuiz(quiz, attempted=bool(tried)) for quiz, tried in db.session.execute(standalone)]
    return waiting[:WAITING_QUIZZES]


@dataclass
class Pace:
    year: int
    total: Decimal
    target: Decimal
    expected: Decimal  # hours the target calls for by today, spread evenly over the year

    @property
    def behind(self) -> Decimal:
        return max(Decimal("0"), self.expected - self.total)

    @property
    def met(self) -> bool:
        return self.total >= self.target

    @property
    def percent(self) -> int:
        return min(100, int(self.total * 100 / self.target)) if self.target else 100


def pace_of(member: User) -> Pace:
    """The member's hours this year against the target and against the pace the target calls for."""
    today = ledger.local_time().date()
    year = today.year
    target = ledger.target_for(member, year)
    return Pace(year, ledger.total_for(member.id, year), target, expected_hours(target, year, today))


HOME_ROWS = 5  # notices and replies shown on the home page; their own pages list them all


@dataclass
class Home:
    """Everything the home page shows a user: the member's blocks stay empty for other roles."""

    unread_notices: list[InboxRow]
    is_member: bool = False
    courses: list[CourseProgress] | None = None  # published ones: a withdrawn course leads nowhere
    next_step: NextStep | None = None
    waiting_quizzes: list[WaitingQuiz] | None = None
    replies: list[Post] | None = None
    replies_seen_at: datetime | None = None
    pace: Pace | None = None

    @property
    def required_courses(self) -> list[CourseProgress]:
        return [row for row in self.courses or [] if row.required]

    @property
    def is_new(self) -> bool:
        """A member with no course, no study and no hours: the home says where to start."""
        return (
            self.is_member
            and not self.courses
            and self.next_step is None
            and not (self.pace and self.pace.total)
        )


def home_for(user: User) -> Home:
    """Gather the user's home page."""
    unread = [row for row in notices.inbox(user, limit=HOME_ROWS) if row.unread]
    if not user.has_role(Role.MEMBER):
        return Home(unread_notices=unread)
    courses = [row for row in course_progress(user) if row.course.is_published]
    replies, seen_at = discussions.recent_replies(user, limit=HOME_ROWS)
    return Home(
        unread_notices=unread,
        is_member=True,
        courses=courses,
        next_step=next_step(user, courses),
        waiting_quizzes=waiting_quizzes(user, courses),
        replies=replies,
        replies_seen_at=seen_at,
        pace=pace_of(user),
    )
