"""Verified reading time: heartbeats from the library's reading page, credited to a reading lesson.

The reading page, opened from a reading lesson, counts seconds only while its tab is visible and the
member has been active recently, and reports them about every ten seconds. The server checks each
report like a video heartbeat (heartbeats.py), through the same viewer row (viewer.py): it must
belong to the member's one active viewing session, its sequence number must rise, and it spends the
member's wall-clock budget. That
budget grows at the fastest allowed playback speed, so a reading second costs that many budget
seconds: reading never earns faster than real time, and reading while a video plays earns nothing
twice. The lesson completes (rule ``read``) once the verified seconds reach its estimated reading
time times ``PROGRESS_READING_SHARE``.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.auth.models import User
from app.courses.models import CompletionRule, Lesson, LessonKind
from app.extensions import db
from app.progress.completion.evidence import complete_on_evidence
from app.progress.completion.lessons import is_completed, progress_of
from app.progress.models import ReadingProgress
from app.progress.watching import viewer
from app.progress.watching.heartbeats import open_session, watchable_lesson
from app.progress.watching.refusals import HeartbeatRefused, number, parse_envelope, refusals_stored, setting
from app.timeutil import utcnow

FIELDS = {"seconds", "session", "sequence"}
# A client reports about every ten seconds; a longer claim is a broken or forged client.
MAX_BEAT_SECONDS = 120


@dataclass
class ReadingFigures:
    accepted_seconds: float
    verified_seconds: float
    required_seconds: float
    completed: bool

    def as_json(self) -> dict[str, float | bool]:
        coverage = min(1.0, self.verified_seconds / self.required_seconds) if self.required_seconds else 1.0
        return {
            "accepted_seconds": round(self.accepted_seconds, 3),
            "verified_seconds": round(self.verified_seconds, 3),
            "required_seconds": round(self.required_seconds, 3),
            "coverage": round(coverage, 4),
            "completed": self.completed,
        }


def readable_lesson(lesson_id: int) -> Lesson | None:
    """The current reading lesson of a published course, else None."""
    return watchable_lesson(lesson_id, LessonKind.READING)


def required_seconds(lesson: Lesson) -> float:
    return lesson.estimated_minutes * 60 * setting("PROGRESS_READING_SHARE")


def _row(member: User, lesson: Lesson) -> ReadingProgress | None:
    return db.session.scalar(
        select(ReadingProgress).where(
            ReadingProgress.user_id == member.id, ReadingProgress.lesson_id == lesson.id
        )
    )


def figures(member: User, lesson: Lesson, accepted: float = 0.0) -> ReadingFigures:
    """The member's verified reading figures on a reading lesson."""
    row = _row(member, lesson)
    progress = progress_of(member, lesson)
    return ReadingFigures(
        accepted_seconds=accepted,
        verified_seconds=row.verified_seconds if row else 0.0,
        required_seconds=required_seconds(lesson),
        completed=bool(progress and progress.completed_at),
    )


def reading_state(member: User, lesson: Lesson, now: datetime | None = None) -> dict[str, object]:
    """Open a viewing session for the reading page of a lesson; what its timer needs."""
    session = open_session(member, lesson, now or utcnow())
    return {"session": session, **figures(member, lesson).as_json()}


def parse(payload: object) -> tuple[float, str | None, int | None]:
    """Check a reading heartbeat: {"seconds": visible, active seconds since the last one} plus the
    shared session id and sequence number."""
    fields, session, sequence = parse_envelope(payload, FIELDS)
    seconds = fields.get("seconds")
    if not number(seconds) or not 0 < seconds <= MAX_BEAT_SECONDS:
        raise HeartbeatRefused(422, "bad_seconds")
    return float(seconds), session, sequence


def heartbeat(member: User, lesson_id: int, payload: object, now: datetime | None = None) -> ReadingFigures:
    """Verify one reading heartbeat and credit its seconds; raise HeartbeatRefused (stored) when refused."""
    now = now or utcnow()
    with refusals_stored(member, lesson_id, payload, now):
        return _heartbeat(member, lesson_id, payload, now)


def _heartbeat(member: User, lesson_id: int, payload: object, now: datetime) -> ReadingFigures:
    lesson = readable_lesson(lesson_id)
    if lesson is None:
        raise HeartbeatRefused(404, "not_visible")
    seconds, session, sequence = parse(payload)
    # The budget is spent first: a concurrent heartbeat of the member's is refused there, not counted twice.
    viewer.claim(member.id, lesson.id, session, sequence, seconds * setting("PROGRESS_WATCH_MAX_SPEED"), now)
    row = _row(member, lesson)
    if row is None:
        row = ReadingProgress(user_id=member.id, lesson_id=lesson.id, verified_seconds=0.0)
        db.session.add(row)
    row.verified_seconds = (row.verified_seconds or 0.0) + seconds
    row.updated_at = now
    verified = row.verified_seconds
    db.session.flush()

    needed = required_seconds(lesson)
    if lesson.completion is CompletionRule.READ and verified >= needed and not is_completed(member, lesson):
        evidence = {"rule": "read", "verified_seconds": round(verified, 3), "required_seconds": needed}
        complete_on_evidence(member, lesson, evidence, now)
    db.session.commit()  # the seconds and, when they completed the lesson, the completion: one event
    return figures(member, lesson, seconds)
