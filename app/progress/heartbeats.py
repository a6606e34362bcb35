"""Verified watch progress: heartbeats in, the union of verified played intervals out.

A player reports the media interval it just played. The server credits it only when:

- it belongs to the member's one active viewing session (the latest opened wins; an older one gets
  409) and its sequence number, when sent, is above the session's last one (replays are refused);
- the member's wall-clock budget covers it. The budget is per member, not per heartbeat: it starts at
  a small tolerance when a viewing session opens (never above what was left), grows with the server's
  clock at the allowed speed up to a cap, and each accepted interval spends its length. A refused
  heartbeat spends nothing. So no burst of heartbeats, second tab or long wait earns faster than real
  time at the allowed speed.

Credit is the union of accepted intervals (watching a part twice counts once). The lesson completes
when that union covers the completion share of the video's duration, compared in seconds. Each
heartbeat is one short transaction, written only if the member's viewer row is still as it read it
(heartbeat_rows.py), so concurrent heartbeats cannot count twice; every refusal is stored with its
reason.
"""

import json
import math
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User
from app.courses.models import Course, Lesson, LessonKind
from app.courses.permissions import editable_courses
from app.extensions import db
from app.media.models import VideoStatus
from app.progress import heartbeat_rows, permissions, viewing
from app.progress.heartbeat_rows import ViewerState
from app.progress.models import HeartbeatRefusal, VideoProgress, Viewer
from app.progress.services import complete_on_evidence, is_completed, progress_of
from app.timeutil import utcnow

FIELDS = {"start", "end", "session", "sequence"}
# Settings and their defaults: the completion share of the duration, the fastest playback credited,
# the budget a viewing session starts with and the most it can hold (all in seconds of media).
# Ids above this are no row's (and PostgreSQL's integer columns refuse them).
MAX_ID = 2**31 - 1
# Containers round durations; an interval may end this far past the probed duration.
END_SLACK = 1.0


def setting(name: str) -> float:
    return float(current_app.config[name])


class HeartbeatRefused(Exception):
    """A refused heartbeat: ``status`` is the HTTP status, ``reason`` the stored code."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Figures:
    accepted_seconds: float
    verified_seconds: float
    coverage: float
    completed: bool
    resume_at: float

    def as_json(self) -> dict:
        return {
            "accepted_seconds": round(self.accepted_seconds, 3),
            "verified_seconds": round(self.verified_seconds, 3),
            "coverage": round(self.coverage, 4),
            "completed": self.completed,
            "resume_at": round(self.resume_at, 3),
        }


# --- intervals ------------------------------------------------------------------------------------


def union(intervals: list, start: float, end: float) -> list[list[float]]:
    """Merge [start, end] into sorted disjoint intervals."""
    merged: list[list[float]] = []
    added = [[start, end]] if end > start else []
    for low, high in sorted([*([float(a), float(b)] for a, b in intervals), *added]):
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return merged


def covered(intervals: list) -> float:
    return sum(high - low for low, high in intervals)


# --- what a lesson's video is ---------------------------------------------------------------------


def watchable_lesson(lesson_id: int, kind: LessonKind = LessonKind.VIDEO) -> Lesson | None:
    """The lesson, with its course and video, if heartbeats of that kind may count on it, else None."""
    if not 0 < lesson_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Lesson)
        .join(Lesson.course)
        .where(Lesson.id == lesson_id, permissions.watchable_for_credit(kind))
        .options(contains_eager(Lesson.course), joinedload(Lesson.video))
    )


def duration_of(lesson: Lesson) -> float | None:
    """The lesson's video length in seconds, once its video is ready."""
    video = lesson.video
    if video is None or video.status is not VideoStatus.READY or not video.duration:
        return None
    return float(video.duration)


# --- sessions and the budget ----------------------------------------------------------------------


def _locked_viewer(member: User, now: datetime) -> Viewer:
    """The member's viewer row, locked until the transaction ends (created on first use)."""
    statement = select(Viewer).where(Viewer.user_id == member.id).with_for_update()
    viewer = db.session.scalar(statement)
    if viewer is not None:
        return viewer
    _create_viewer(member, now)
    return db.session.scalars(statement).one()


def _create_viewer(member: User, now: datetime) -> None:
    """Give the member a viewer row starting with the tolerance (flushed; a concurrent request may
    have created it meanwhile, which is as good)."""
    db.session.add(
        Viewer(user_id=member.id, budget_seconds=setting("PROGRESS_WATCH_TOLERANCE"), budget_at=now)
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()


def available_budget(viewer: Viewer | ViewerState, now: datetime) -> float:
    """What the member may claim now: the budget grown with server time at the allowed speed, capped."""
    elapsed = max(0.0, (now - viewer.budget_at).total_seconds())
    grown = viewer.budget_seconds + elapsed * setting("PROGRESS_WATCH_MAX_SPEED")
    return min(setting("PROGRESS_WATCH_BUDGET_CAP"), grown)


def _open(viewer: Viewer | ViewerState, lesson_id: int, now: datetime) -> None:
    """Open a viewing session (superseding any other): the budget restarts at the tolerance at most."""
    viewer.budget_seconds = min(available_budget(viewer, now), setting("PROGRESS_WATCH_TOLERANCE"))
    viewer.budget_at = now
    viewer.session_token = secrets.token_hex(16)
    viewer.session_lesson_id = lesson_id
    viewer.session_sequence = 0
    viewer.session_opened_at = now


def open_session(member: User, lesson: Lesson, now: datetime | None = None) -> str:
    """Open the member's viewing session on a lesson (the lesson page does); return its id."""
    now = now or utcnow()
    for _attempt in range(3):
        viewer = _locked_viewer(member, now)
        _open(viewer, lesson.id, now)
        token = viewer.session_token
        try:
            db.session.commit()
        except StaleDataError:  # a heartbeat of the member's was written meanwhile: open on top of it
            db.session.rollback()
        else:
            return token
    raise HeartbeatRefused(409, "concurrent")


# --- heartbeats -----------------------------------------------------------------------------------


@dataclass
class Beat:
    start: float
    end: float
    session: str | None
    sequence: int | None


def number(value) -> bool:
    """A finite JSON number (not a bool), and no integer beyond what a float holds exactly."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return abs(value) <= 2**53 if isinstance(value, int) else math.isfinite(value)


def parse_envelope(payload, fields: set[str]) -> tuple[str | None, int | None]:
    """Check what every heartbeat shares: a JSON object with only known fields, and an optional
    viewing-session id and sequence number (returned)."""
    if not isinstance(payload, dict):
        raise HeartbeatRefused(422, "not_an_object")
    if set(payload) - fields:
        raise HeartbeatRefused(422, "unknown_field")
    session, sequence = payload.get("session"), payload.get("sequence")
    if session is not None and (not isinstance(session, str) or not 0 < len(session) <= 32):
        raise HeartbeatRefused(422, "bad_session")
    if sequence is not None and (
        not isinstance(sequence, int) or isinstance(sequence, bool) or not 1 <= sequence <= MAX_ID
    ):
        raise HeartbeatRefused(422, "bad_sequence")
    return session, sequence


def parse(payload) -> Beat:
    """Check a video heartbeat's JSON: numbers start < end besides the shared fields."""
    session, sequence = parse_envelope(payload, FIELDS)
    start, end = payload.get("start"), payload.get("end")
    if not number(start) or not number(end) or not 0 <= start < end:
        raise HeartbeatRefused(422, "bad_interval")
    return Beat(float(start), float(end), session, sequence)


def claim(member: User, lesson: Lesson, session: str | None, sequence: int | None, cost: float, now) -> None:
    """Spend ``cost`` seconds of the member's budget on a heartbeat of their active viewing session.

    Locks the member's viewer row (until the caller's transaction ends); the caller flushes.
    """
    spend(_locked_viewer(member, now), lesson.id, session, sequence, cost, now)


def spend(
    viewer: Viewer | ViewerState, lesson_id: int, session: str | None, sequence: int | None, cost: float, now
) -> None:
    """Charge a heartbeat to the locked viewer row (changed in memory only). A client that sends no
    session id gets one opened by its first heartbeat on the lesson."""
    if session is not None:
        if session != viewer.session_token:
            raise HeartbeatRefused(409, "superseded")
        if viewer.session_lesson_id != lesson_id:
            raise HeartbeatRefused(409, "other_lesson")
    elif viewer.session_token is None or viewer.session_lesson_id != lesson_id:
        _open(viewer, lesson_id, now)
    if sequence is not None and sequence <= viewer.session_sequence:
        raise HeartbeatRefused(409, "replayed")
    budget = available_budget(viewer, now)
    if cost > budget + 1e-6:
        raise HeartbeatRefused(422, "faster_than_real_time")
    viewer.budget_seconds = budget - cost
    viewer.budget_at = now
    viewer.session_sequence = sequence if sequence is not None else viewer.session_sequence + 1


def _figures(member: User, lesson: Lesson, row: VideoProgress | None, accepted: float) -> Figures:
    duration = duration_of(lesson)
    verified = row.verified_seconds if row else 0.0
    progress = progress_of(member, lesson)
    return Figures(
        accepted_seconds=accepted,
        verified_seconds=verified,
        coverage=min(1.0, verified / duration) if duration else 0.0,
        completed=bool(progress and progress.completed_at),
        resume_at=row.resume_at if row else 0.0,
    )


def record_refusal(member: User, lesson_id: int, reason: str, payload, now: datetime | None = None) -> None:
    """Store a refused heartbeat with its reason (in its own transaction).

    One row per member, lesson, reason and minute: the first refusal of the minute is inserted with
    what it sent, the next ones only add to its count and move its latest time. The write is one
    atomic INSERT … ON CONFLICT DO UPDATE on the row's unique key, so a burst of refusals (also
    concurrent ones) writes one row a minute however many arrive; the rate limit on the heartbeat
    endpoints bounds how many different lessons a member can name in that minute.
    """
    db.session.rollback()
    now = now or utcnow()
    try:
        kept = json.loads(json.dumps(payload, allow_nan=False)) if isinstance(payload, dict) else None
    except (TypeError, ValueError):
        kept = None
    if kept is None or len(json.dumps(kept)) > 1000:
        kept = {"raw": repr(payload)[:1000]}
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(HeartbeatRefusal).values(
        user_id=member.id,
        lesson_id=lesson_id if 0 < lesson_id <= MAX_ID else 0,
        reason=reason,
        payload=kept,
        created_at=now,
        minute=now.replace(second=0, microsecond=0),
        count=1,
        last_at=now,
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "lesson_id", "reason", "minute"],
            set_={"count": HeartbeatRefusal.count + 1, "last_at": statement.excluded.last_at},
        )
    )
    db.session.commit()


@dataclass(frozen=True)
class MemberRef:
    """A member known by id alone: what a viewing-token heartbeat carries (no account is loaded)."""

    id: int


def refusals_stored(verify):
    """Wrap a heartbeat handler ``verify(member, lesson_id, payload, now, **context)`` so that every
    refusal it raises is stored with its reason before it reaches the client."""

    def handle(member: User | MemberRef, lesson_id: int, payload, now: datetime | None = None, **context):
        now = now or utcnow()
        try:
            return verify(member, lesson_id, payload, now, **context)
        except HeartbeatRefused as refusal:
            record_refusal(member, lesson_id, refusal.reason, payload, now)
            raise

    handle.__doc__ = verify.__doc__
    return handle


@refusals_stored
def heartbeat(
    member: User | MemberRef,
    lesson_id: int,
    payload,
    now: datetime,
    claim: viewing.ViewingClaim | None = None,
) -> Figures:
    """Verify one video heartbeat and credit its interval; raise HeartbeatRefused (stored) when refused.

    With a viewing token's ``claim`` (the lean path: no session cookie, no account loaded) the claim
    is checked against the same read: the account still active at the claimed session version, the
    claimed lesson, and the claimed viewing session still the member's newest.
    """
    state = heartbeat_rows.read(member.id, lesson_id) if 0 < lesson_id <= MAX_ID else None
    if state is None:  # not a lesson to watch, or the member's first heartbeat without the lesson page
        if watchable_lesson(lesson_id) is None or claim is not None:
            raise HeartbeatRefused(404, "not_visible")
        _create_viewer(member, now)
        state = heartbeat_rows.read(member.id, lesson_id)
    beat = parse(payload)
    if claim is not None:
        if not state.account_active or state.session_version != claim.session_version:
            raise HeartbeatRefused(401, "token_ended")
        if claim.lesson_id != lesson_id:
            raise HeartbeatRefused(409, "other_lesson")
        if beat.session not in (None, claim.session):
            raise HeartbeatRefused(409, "superseded")
        beat.session = claim.session
    duration = state.duration
    if duration is None:
        raise HeartbeatRefused(409, "video_not_ready")
    if beat.end > duration + END_SLACK:
        raise HeartbeatRefused(422, "beyond_duration")

    length = beat.end - beat.start
    spend(state.viewer, lesson_id, beat.session, beat.sequence, length, now)
    state.intervals = union(state.intervals, min(beat.start, duration), min(beat.end, duration))
    verified = covered(state.intervals)
    resume_at = 0.0 if beat.end >= duration - END_SLACK else min(beat.end, duration)
    if not heartbeat_rows.write(state, verified, resume_at, now):
        raise HeartbeatRefused(409, "concurrent")  # another heartbeat of the member's got in first
    completed = state.completed or (
        verified >= setting("PROGRESS_VIDEO_COMPLETION_SHARE") * duration
        and complete_watched(member, lesson_id, verified, duration, now)
    )
    db.session.commit()  # the interval and, when it completed the lesson, the completion: one event
    return Figures(
        accepted_seconds=length,
        verified_seconds=verified,
        coverage=min(1.0, verified / duration),
        completed=completed,
        resume_at=resume_at,
    )


def complete_watched(
    member: User | MemberRef, lesson_id: int, verified: float, duration: float, now: datetime
) -> bool:
    """Complete the video lesson whose verified seconds reached the completion share, in the
    heartbeat's transaction; return whether it is completed now (by this call or before it)."""
    evidence = {"rule": "watched", "verified_seconds": round(verified, 3), "duration": duration}
    lesson = watchable_lesson(lesson_id)
    account = db.session.get(User, member.id)  # already in the session on the cookie path
    return (
        lesson is not None
        and account is not None
        and (complete_on_evidence(account, lesson, evidence, now) or is_completed(account, lesson))
    )


def _video_progress(member: User, lesson: Lesson) -> VideoProgress | None:
    return db.session.scalar(
        select(VideoProgress).where(VideoProgress.user_id == member.id, VideoProgress.lesson_id == lesson.id)
    )


def figures(member: User, lesson: Lesson) -> Figures:
    """The member's verified figures on a video lesson (what GET …/progress answers)."""
    return _figures(member, lesson, _video_progress(member, lesson), 0.0)


def player_state(member: User, lesson: Lesson, now: datetime | None = None) -> dict | None:
    """Open a viewing session for the lesson page's player; None while the video is not ready."""
    if duration_of(lesson) is None:
        return None
    now = now or utcnow()
    session = open_session(member, lesson, now)
    row = _video_progress(member, lesson)
    current = _figures(member, lesson, row, 0.0)
    return {
        "session": session,
        # Heartbeats sent with it skip the cookie session, CSRF and the account's loading (viewing.py).
        "viewing_token": viewing.mint(member.id, member.session_version, lesson.id, session, now),
        "resume_at": current.resume_at,
        # Seeking is allowed up to the furthest verified point (anywhere once the lesson is completed).
        "furthest": max((high for _low, high in row.intervals), default=0.0) if row else 0.0,
        "coverage": current.coverage,
        "completed": current.completed,
    }


# --- reviewing refusals: trainers (their own courses) and admins ----------------------------------

REFUSAL_PAGE_SIZE = 100


def refusals_for(reviewer: User, lesson_id: int | None = None) -> list[tuple[HeartbeatRefusal, User, Lesson]]:
    """The latest refused heartbeats on lessons of courses the reviewer may edit, newest first."""
    courses = editable_courses(reviewer).with_only_columns(Course.id)
    statement = (
        select(HeartbeatRefusal, User, Lesson)
        .join(User, HeartbeatRefusal.user_id == User.id)
        .join(Lesson, HeartbeatRefusal.lesson_id == Lesson.id)
        .where(Lesson.course_id.in_(courses))
        .order_by(HeartbeatRefusal.created_at.desc(), HeartbeatRefusal.id.desc())
        .limit(REFUSAL_PAGE_SIZE)
    )
    if lesson_id is not None:
        statement = statement.where(HeartbeatRefusal.lesson_id == lesson_id)
    return [tuple(row) for row in db.session.execute(statement)]
