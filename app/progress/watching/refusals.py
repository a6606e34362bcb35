"""What every heartbeat shares: its envelope, its refusal and the record kept of refusals.

A refused heartbeat earns nothing; it is stored with its reason (one row per member, lesson, reason
and minute) so trainers and admins can review them.
"""

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.auth.models import User
from app.courses.models import Course, Lesson
from app.courses.permissions import editable_courses
from app.extensions import db
from app.progress.models import HeartbeatRefusal
from app.timeutil import utcnow

# Ids above this are no row's (and PostgreSQL's integer columns refuse them).
MAX_ID = 2**31 - 1
REFUSAL_PAGE_SIZE = 100


def setting(name: str) -> float:
    """A numeric watching setting (the completion share, the fastest playback credited, the budget)."""
    return float(current_app.config[name])


class HeartbeatRefused(Exception):
    """A refused heartbeat: ``status`` is the HTTP status, ``reason`` the stored code."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class MemberRef:
    """A member known by id alone: what a viewing-token heartbeat carries (no account is loaded)."""

    id: int


# Who sends a heartbeat: the signed-in account (cookie path) or its id alone (viewing-token path).
Member = User | MemberRef


def number(value: object) -> TypeGuard[int | float]:
    """A finite JSON number (not a bool), and no integer beyond what a float holds exactly."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return abs(value) <= 2**53 if isinstance(value, int) else math.isfinite(value)


def parse_envelope(payload: object, fields: set[str]) -> tuple[dict[str, object], str | None, int | None]:
    """Check what every heartbeat shares: a JSON object with only known fields, and an optional
    viewing-session id and sequence number. Return the object, the session id and the sequence."""
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
    return payload, session, sequence


def _kept(payload: object) -> dict[str, object]:
    """What a refusal keeps of the payload: the JSON object itself when small, else its bounded repr."""
    kept: object = None
    try:
        kept = json.loads(json.dumps(payload, allow_nan=False)) if isinstance(payload, dict) else None
    except (TypeError, ValueError):
        kept = None
    if not isinstance(kept, dict) or len(json.dumps(kept)) > 1000:
        return {"raw": repr(payload)[:1000]}
    return kept


def record_refusal(
    member: Member, lesson_id: int, reason: str, payload: object, now: datetime | None = None
) -> None:
    """Store a refused heartbeat with its reason (in its own transaction).

    One row per member, lesson, reason and minute: the first refusal of the minute is inserted with
    what it sent, the next ones only add to its count and move its latest time. The write is one
    atomic INSERT … ON CONFLICT DO UPDATE on the row's unique key, so a burst of refusals (also
    concurrent ones) writes one row a minute however many arrive; the rate limit on the heartbeat
    endpoints bounds how many different lessons a member can name in that minute.
    """
    db.session.rollback()
    now = now or utcnow()
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(HeartbeatRefusal).values(
        user_id=member.id,
        lesson_id=lesson_id if 0 < lesson_id <= MAX_ID else 0,
        reason=reason,
        payload=_kept(payload),
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


@contextmanager
def refusals_stored(member: Member, lesson_id: int, payload: object, now: datetime) -> Iterator[None]:
    """Around a heartbeat's check: a refusal raised inside is stored with its reason (in its own
    transaction) before it reaches the client."""
    try:
        yield
    except HeartbeatRefused as refusal:
        record_refusal(member, lesson_id, refusal.reason, payload, now)
        raise


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
    return [(refusal, user, lesson) for refusal, user, lesson in db.session.execute(statement)]
