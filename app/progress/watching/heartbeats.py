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
(viewer.py, rows.py), so concurrent heartbeats cannot count twice; every refusal is stored with its
reason (refusals.py).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from app.auth.models import User
from app.courses.models import CompletionRule, Lesson, LessonKind
from app.extensions import db
from app.media.models import VideoStatus
from app.progress import permissions
from app.progress.completion.evidence import complete_on_evidence
from app.progress.completion.lessons import is_completed, progress_of
from app.progress.models import VideoProgress
from app.progress.watching import rows, viewer, viewing
from app.progress.watching.refusals import (
    MAX_ID,
    HeartbeatRefused,
    Member,
    MemberRef,
    number,
    parse_envelope,
    record_refusal,
    refusals_for,
    refusals_stored,
    setting,
)
from app.timeutil import utcnow

__all__ = [  # the refusal names are part of the heartbeat API (api.py, views.py, tests)
    "HeartbeatRefused",
    "Member",
    "MemberRef",
    "record_refusal",
    "refusals_for",
]

FIELDS = {"start", "end", "session", "sequence"}
# Containers round durations; an interval may end this far past the probed duration.
END_SLACK = 1.0


@dataclass
class Figures:
    accepted_seconds: float
    verified_seconds: float
    coverage: float
    completed: bool
    resume_at: float

    def as_json(self) -> dict[str, float | bool]:
        return {
            "accepted_seconds": round(self.accepted_seconds, 3),
            "verified_seconds": round(self.verified_seconds, 3),
            "coverage": round(self.coverage, 4),
            "completed": self.completed,
            "resume_at": round(self.resume_at, 3),
        }


# --- intervals ------------------------------------------------------------------------------------


def union(intervals: list[list[float]], start: float, end: float) -> list[list[float]]:
    """Merge [start, end] into sorted disjoint intervals."""
    merged: list[list[float]] = []
    added = [[start, end]] if end > start else []
    for low, high in sorted([*([float(a), float(b)] for a, b in intervals), *added]):
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return merged


def covered(intervals: list[list[float]]) -> float:
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


# --- heartbeats -----------------------------------------------------------------------------------


def open_session(member: Member, lesson: Lesson, now: datetime | None = None) -> str:
    """Open the member's viewing session on a lesson (the lesson and reading pages do); return its id."""
    return viewer.open_session(member.id, lesson.id, now or utcnow())


@dataclass
class Beat:
    start: float
    end: float
    session: str | None
    sequence: int | None


def parse(payload: object) -> Beat:
    """Check a video heartbeat's JSON: numbers start < end besides the shared fields."""
    fields, session, sequence = parse_envelope(payload, FIELDS)
    start, end = fields.get("start"), fields.get("end")
    if not number(start) or not number(end) or not 0 <= start < end:
        raise HeartbeatRefused(422, "bad_interval")
    return Beat(float(start), float(end), session, sequence)


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


def heartbeat(
    member: Member,
    lesson_id: int,
    payload: object,
    now: datetime | None = None,
    claim: viewing.ViewingClaim | None = None,
) -> Figures:
    """Verify one video heartbeat and credit its interval; raise HeartbeatRefused (stored) when refused.

    With a viewing token's ``claim`` (the lean path: no session cookie, no account loaded) the claim
    is checked against the same read: the account still active at the claimed session version, the
    claimed lesson, and the claimed viewing session still the member's newest.
    """
    now = now or utcnow()
    with refusals_stored(member, lesson_id, payload, now):
        return _heartbeat(member, lesson_id, payload, now, claim)


def _read(
    member: Member, lesson_id: int, now: datetime, claim: viewing.ViewingClaim | None
) -> rows.WatchState:
    state = rows.read(member.id, lesson_id) if 0 < lesson_id <= MAX_ID else None
    if state is None:  # not a lesson to watch, or the member's first heartbeat without the lesson page
        if watchable_lesson(lesson_id) is None or claim is not None:
            raise HeartbeatRefused(404, "not_visible")
        viewer.create(member.id, now)
        state = rows.read(member.id, lesson_id)
        assert state is not None
    return state


def _heartbeat(
    member: Member, lesson_id: int, payload: object, now: datetime, claim: viewing.ViewingClaim | None
) -> Figures:
    state = _read(member, lesson_id, now, claim)
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
    viewer.spend(state.viewer, lesson_id, beat.session, beat.sequence, length, now)
    state.intervals = union(state.intervals, min(beat.start, duration), min(beat.end, duration))
    verified = covered(state.intervals)
    resume_at = 0.0 if beat.end >= duration - END_SLACK else min(beat.end, duration)
    if not rows.write(state, verified, resume_at, now):
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


def complete_watched(member: Member, lesson_id: int, verified: float, duration: float, now: datetime) -> bool:
    """Complete the video lesson whose verified seconds reached the completion share, in the
    heartbeat's transaction; return whether it is completed now (by this call or before it)."""
    evidence = {"rule": "watched", "verified_seconds": round(verified, 3), "duration": duration}
    lesson = watchable_lesson(lesson_id)
    if lesson is not None and not completes_by_watching(lesson):
        return False
    account = db.session.get(User, member.id)  # already in the session on the cookie path
    return (
        lesson is not None
        and account is not None
        and (complete_on_evidence(account, lesson, evidence, now) or is_completed(account, lesson))
    )


def completes_by_watching(lesson: Lesson) -> bool:
    """Whether watching the lesson's video completes it: always for a video lesson; for a live
    lesson's replay only under the rule "watched" (the rule "attended" needs the live broadcast)."""
    return lesson.kind is not LessonKind.LIVE or lesson.completion is CompletionRule.WATCHED


def _video_progress(member: User, lesson: Lesson) -> VideoProgress | None:
    return db.session.scalar(
        select(VideoProgress).where(VideoProgress.user_id == member.id, VideoProgress.lesson_id == lesson.id)
    )


def figures(member: User, lesson: Lesson) -> Figures:
    """The member's verified figures on a video lesson (what GET …/progress answers)."""
    return _figures(member, lesson, _video_progress(member, lesson), 0.0)


def player_state(member: User, lesson: Lesson, now: datetime | None = None) -> dict[str, object] | None:
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
