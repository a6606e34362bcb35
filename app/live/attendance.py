"""Live attendance: verified watching of the broadcast, credited through the progress machinery.

While the live player plays the stream in a visible tab it reports about every ten seconds how many
seconds it played since the last report. The server checks each report like any heartbeat
(app/progress/watching/): it must belong to the member's one active viewing session (a newer page
supersedes it), its sequence number must rise, and it spends the member's wall-clock budget, so no
second tab, burst or forged count earns faster than real time. What it credits is wall-clock time:
the interval [now - seconds, now] on the server's clock (or, for a report continuing the previous
one, from where that one ended: ``credited_interval``), merged into the member's intervals (counted
once however often it is claimed) and cut to the real broadcast (the publishes nginx reported).
Joining late or leaving early earns proportionally.

The lesson completes when the attended seconds reach LIVE_ATTENDANCE_SHARE of the real broadcast:
decided when the broadcast ends (``settle``, run by on_publish_done) and by a report arriving after
it; the completion's statement keeps the figures and the ledger credits it like any lesson.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.courses.models import Course, CourseStatus, Lesson, LessonKind
from app.extensions import db
from app.live.models import LiveAttendance, LiveBroadcast, LiveStream
from app.progress.services import complete_on_evidence, is_completed
from app.progress.watching import viewer
from app.progress.watching.heartbeats import covered, open_session, union
from app.progress.watching.refusals import (
    MAX_ID,
    HeartbeatRefused,
    number,
    parse_envelope,
    refusals_stored,
    setting,
)
from app.timeutil import utcnow

FIELDS = {"seconds", "session", "sequence"}


def epoch(at: datetime) -> float:
    """Seconds since 1970 of a stored (naive UTC) time."""
    return at.replace(tzinfo=UTC).timestamp()


def clip(intervals: list[list[float]], windows: list[list[float]]) -> list[list[float]]:
    """The parts of ``intervals`` inside ``windows`` (both sorted, disjoint)."""
    inside = []
    for low, high in intervals:
        for start, end in windows:
            a, b = max(low, start), min(high, end)
            if b > a:
                inside.append([a, b])
    return inside


def broadcast_windows(lesson_id: int, now: datetime) -> list[list[float]]:
    """The real broadcast as epoch intervals (a publish still going ends now)."""
    rows = db.session.execute(
        select(LiveBroadcast.started_at, LiveBroadcast.ended_at)
        .where(LiveBroadcast.lesson_id == lesson_id)
        .order_by(LiveBroadcast.started_at)
    ).all()
    windows: list[list[float]] = []
    for started, ended in rows:
        windows = union(windows, epoch(started), epoch(ended or now))
    return windows


def attendable_lesson(lesson_id: int) -> Lesson | None:
    """A current live lesson of a published course (every signed-in member may watch it), else None."""
    if not 0 < lesson_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Lesson)
        .join(Course, Lesson.course_id == Course.id)
        .where(
            Lesson.id == lesson_id,
            Lesson.kind == LessonKind.LIVE,
            Lesson.removed_at.is_(None),
            Course.status == CourseStatus.PUBLISHED,
        )
    )


# A report whose stretch starts at most this long after the previous one ended continues it.
CONTINUES_WITHIN = 5.0


def credited_interval(intervals: list[list[float]], at: float, seconds: float) -> tuple[float, float]:
    """The wall-clock interval a report of ``seconds`` watched, received at ``at``, is credited.

    A report that continues the previous one (its stretch starts at most CONTINUES_WITHIN after the
    previous one ended, or overlaps it) is credited from where that one ended, up to now: so the
    network's varying delay neither loses the seconds between two reports nor counts any twice,
    and the total follows the reported seconds within one delay. Any other report is the stretch
    just before now. Either way nothing is credited after the server's now.
    """
    start = at - seconds
    if intervals:
        previous_end = intervals[-1][1]
        if previous_end <= at and start - previous_end <= CONTINUES_WITHIN:
            return previous_end, min(at, previous_end + seconds)
    return start, at


@dataclass
class AttendanceFigures:
    accepted_seconds: float
    attended_seconds: float
    broadcast_seconds: float
    completed: bool

    @property
    def share(self) -> float:
        return min(1.0, self.attended_seconds / self.broadcast_seconds) if self.broadcast_seconds else 0.0

    def as_json(self) -> dict[str, float | bool]:
        return {
            "accepted_seconds": round(self.accepted_seconds, 3),
            "attended_seconds": round(self.attended_seconds, 3),
            "broadcast_seconds": round(self.broadcast_seconds, 3),
            "share": round(self.share, 4),
            "completed": self.completed,
        }


def _row(member_id: int, lesson_id: int) -> LiveAttendance | None:
    return db.session.scalar(
        select(LiveAttendance).where(
            LiveAttendance.user_id == member_id, LiveAttendance.lesson_id == lesson_id
        )
    )


def figures(
    member: User, lesson: Lesson, now: datetime | None = None, accepted: float = 0.0
) -> AttendanceFigures:
    now = now or utcnow()
    windows = broadcast_windows(lesson.id, now)
    row = _row(member.id, lesson.id)
    return AttendanceFigures(
        accepted_seconds=accepted,
        attended_seconds=covered(clip(row.intervals, windows)) if row else 0.0,
        broadcast_seconds=covered(windows),
        completed=is_completed(member, lesson),
    )


def open_viewing(member: User, lesson: Lesson, now: datetime | None = None) -> str:
    """Open the member's one viewing session on the live page; return its id for the heartbeats."""
    return open_session(member, lesson, now or utcnow())


def parse(payload: object) -> tuple[float, str | None, int | None]:
    """{"seconds": played and visible seconds since the last report} plus the shared session fields."""
    fields, session, sequence = parse_envelope(payload, FIELDS)
    seconds = fields.get("seconds")
    if not number(seconds) or not 0 < seconds <= current_app.config["LIVE_MAX_BEAT_SECONDS"]:
        raise HeartbeatRefused(422, "bad_seconds")
    return float(seconds), session, sequence


def _ended(lesson_id: int) -> bool:
    stream = db.session.scalar(select(LiveStream).where(LiveStream.lesson_id == lesson_id))
    return stream is not None and not stream.publishing and stream.ended_at is not None


def heartbeat(
    member: User, lesson_id: int, payload: object, now: datetime | None = None
) -> AttendanceFigures:
    """Verify one live heartbeat and credit its wall-clock interval; raise HeartbeatRefused (stored)."""
    now = now or utcnow()
    with refusals_stored(member, lesson_id, payload, now):
        return _heartbeat(member, lesson_id, payload, now)


def _heartbeat(member: User, lesson_id: int, payload: object, now: datetime) -> AttendanceFigures:
    lesson = attendable_lesson(lesson_id)
    if lesson is None:
        raise HeartbeatRefused(404, "not_visible")
    seconds, session, sequence = parse(payload)
    windows = broadcast_windows(lesson.id, now)
    if not windows:
        raise HeartbeatRefused(409, "not_live")
    # A live second costs what a second of video at the fastest allowed speed costs: real time. The
    # budget is spent first: a concurrent heartbeat of the member's is refused there, not counted twice.
    viewer.claim(member.id, lesson.id, session, sequence, seconds * setting("PROGRESS_WATCH_MAX_SPEED"), now)
    try:
        row = _row(member.id, lesson.id)
        if row is None:
            row = LiveAttendance(user_id=member.id, lesson_id=lesson.id, intervals=[])
            db.session.add(row)
        start, end = credited_interval(row.intervals or [], epoch(now), seconds)
        row.intervals = union(row.intervals or [], start, end)
        row.attended_seconds = covered(clip(row.intervals, windows))
        row.updated_at = now
        db.session.flush()
    except IntegrityError as error:  # another heartbeat of the member's got in first
        raise HeartbeatRefused(409, "concurrent") from error
    completed = is_completed(member, lesson)
    if not completed and _ended(lesson.id):
        completed = _complete_if_attended(member, lesson, row.attended_seconds, covered(windows), now)
    db.session.commit()  # the interval and, when it completed the lesson, the completion: one event
    return AttendanceFigures(seconds, row.attended_seconds, covered(windows), completed)


def _complete_if_attended(
    member: User, lesson: Lesson, attended: float, broadcast: float, now: datetime
) -> bool:
    share = float(current_app.config["LIVE_ATTENDANCE_SHARE"])
    if broadcast <= 0 or attended < share * broadcast:
        return False
    evidence = {
        "rule": "attended",
        "attended_seconds": round(attended, 3),
        "broadcast_seconds": round(broadcast, 3),
        "share": share,
    }
    return complete_on_evidence(member, lesson, evidence, now)


def settle(lesson: Lesson, now: datetime) -> int:
    """When the broadcast ends: cut every member's attendance to the real broadcast and complete the
    lesson for those who reached the share, in the caller's transaction; return how many completed."""
    windows = broadcast_windows(lesson.id, now)
    broadcast = covered(windows)
    completed = 0
    rows = db.session.execute(
        select(LiveAttendance, User)
        .join(User, LiveAttendance.user_id == User.id)
        .where(LiveAttendance.lesson_id == lesson.id)
    ).all()
    for row, member in rows:
        row.attended_seconds = covered(clip(row.intervals, windows))
        if not is_completed(member, lesson):
            completed += _complete_if_attended(member, lesson, row.attended_seconds, broadcast, now)
    db.session.flush()
    return completed
