"""The member's viewer row: their one active viewing session and their wall-clock budget.

Video heartbeats, reading heartbeats and the pages that open a viewing session all go through one
read-lock-write path, in SQLAlchemy Core (a heartbeat is the site's most frequent request, and ORM
loading and flushing cost three times the rest of it, benchmarks/heartbeat.py):

1. read the row as plain values (``ViewerState``): ``read`` here, or inside the video heartbeat's one
   joined SELECT (rows.py), which selects ``COLUMNS``;
2. change it in memory by the rules below (``open_viewing``, ``spend``);
3. ``write`` it with one UPDATE that matches only the version it read and moves the version on. The
   UPDATE locks the row until the commit; a concurrent writer waits, then finds the version gone and
   writes nothing (``write`` answers False), so one member's heartbeats count one at a time, on
   SQLite and PostgreSQL alike. Every other write of a heartbeat follows a won ``write``.

(A SELECT ... FOR UPDATE would not do on PostgreSQL: after waiting for the lock it re-reads only the
locked row, so the played intervals the video heartbeat joins in could be stale.)

The budget is per member, not per heartbeat: it starts at a small tolerance when a viewing session
opens (never above what was left), grows with the server's clock at the allowed speed up to a cap,
and each accepted heartbeat spends its length. A refused heartbeat spends nothing.
"""

import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, bindparam, select, update

from app.extensions import db, insert_unless_taken
from app.progress.models import Viewer
from app.progress.watching.refusals import HeartbeatRefused, setting

# The table itself (a mapped class's ``__table__`` is typed as any FromClause, which cannot be updated).
viewers = Viewer.metadata.tables[Viewer.__tablename__]


@dataclass
class ViewerState:
    """The member's viewer row as plain values (the rules below change them in memory)."""

    session_token: str | None
    session_lesson_id: int | None
    session_sequence: int
    session_opened_at: datetime | None
    budget_seconds: float
    budget_at: datetime
    version: int

    @classmethod
    def from_row(cls, values: RowMapping) -> "ViewerState":
        return cls(*(values[column] for column in COLUMNS))


COLUMNS = [viewers.c[field.name] for field in fields(ViewerState)]
# The statements are built once: building and cache-keying them cost more than running them.
READ = select(*COLUMNS).where(viewers.c.user_id == bindparam("user_id"))
WRITE = (
    update(viewers)
    .where(viewers.c.user_id == bindparam("viewer_user_id"), viewers.c.version == bindparam("read_version"))
    .values(version=viewers.c.version + 1)
)


def read(user_id: int) -> ViewerState | None:
    """The member's viewer row as it is now; None before their first viewing session."""
    found = db.session.connection().execute(READ, {"user_id": user_id}).first()
    return None if found is None else ViewerState.from_row(found._mapping)


def create(user_id: int, now: datetime) -> None:
    """Give the member a viewer row starting with the tolerance, in the caller's transaction; a
    concurrent request that created it first keeps its own (as good)."""
    insert_unless_taken(
        Viewer, user_id=user_id, budget_seconds=setting("PROGRESS_WATCH_TOLERANCE"), budget_at=now
    )


def read_or_create(user_id: int, now: datetime) -> ViewerState:
    """The member's viewer row, created on first use."""
    state = read(user_id)
    if state is None:
        create(user_id, now)
        state = read(user_id)
    assert state is not None  # inserted here or by the concurrent request that won
    return state


def write(user_id: int, state: ViewerState) -> bool:
    """Store the changed row in the caller's transaction, locking it until the commit. False, writing
    nothing, when another request of the member's wrote it since it was read."""
    values: dict[str, Any] = asdict(state)
    read_version = values.pop("version")
    written = db.session.connection().execute(
        WRITE, {"viewer_user_id": user_id, "read_version": read_version, **values}
    )
    return written.rowcount == 1


# --- the rules (in memory) ------------------------------------------------------------------------


def available_budget(viewer: ViewerState, now: datetime) -> float:
    """What the member may claim now: the budget grown with server time at the allowed speed, capped."""
    elapsed = max(0.0, (now - viewer.budget_at).total_seconds())
    grown = viewer.budget_seconds + elapsed * setting("PROGRESS_WATCH_MAX_SPEED")
    return min(setting("PROGRESS_WATCH_BUDGET_CAP"), grown)


def open_viewing(viewer: ViewerState, lesson_id: int | None, now: datetime) -> None:
    """Open a viewing session (superseding any other): the budget restarts at the tolerance at most.
    A session on no lesson (``None``) is a library video's (app/selfstudy)."""
    viewer.budget_seconds = min(available_budget(viewer, now), setting("PROGRESS_WATCH_TOLERANCE"))
    viewer.budget_at = now
    viewer.session_token = secrets.token_hex(16)
    viewer.session_lesson_id = lesson_id
    viewer.session_sequence = 0
    viewer.session_opened_at = now


def spend(
    viewer: ViewerState,
    lesson_id: int | None,
    session: str | None,
    sequence: int | None,
    cost: float,
    now: datetime,
) -> None:
    """Charge a heartbeat of the member's active viewing session to their budget (in memory), or
    raise HeartbeatRefused. A client that sends no session id gets one opened by its first heartbeat
    on the lesson."""
    if session is not None:
        if session != viewer.session_token:
            raise HeartbeatRefused(409, "superseded")
        if viewer.session_lesson_id != lesson_id:
            raise HeartbeatRefused(409, "other_lesson")
    elif viewer.session_token is None or viewer.session_lesson_id != lesson_id:
        open_viewing(viewer, lesson_id, now)
    if sequence is not None and sequence <= viewer.session_sequence:
        raise HeartbeatRefused(409, "replayed")
    budget = available_budget(viewer, now)
    if cost > budget + 1e-6:
        raise HeartbeatRefused(422, "faster_than_real_time")
    viewer.budget_seconds = budget - cost
    viewer.budget_at = now
    viewer.session_sequence = sequence if sequence is not None else viewer.session_sequence + 1


# --- the operations -------------------------------------------------------------------------------


# Listeners called with (member id, viewer row, now) just before a lesson page's new viewing session
# replaces the member's current one, in the opener's transaction: app/offline keeps the span of time
# the ending session earned in, which offline plays may not overlap.
session_superseded: list[Callable[[int, ViewerState, datetime], None]] = []


def open_session(user_id: int, lesson_id: int | None, now: datetime) -> str:
    """Open the member's viewing session on a lesson and commit it; return its id. A heartbeat of the
    member's written meanwhile is read again and the session opened on top of it."""
    for _attempt in range(3):
        viewer = read_or_create(user_id, now)
        for listener in session_superseded:
            listener(user_id, viewer, now)
        open_viewing(viewer, lesson_id, now)
        if write(user_id, viewer):
            db.session.commit()
            assert viewer.session_token is not None
            return viewer.session_token
        db.session.rollback()
    raise HeartbeatRefused(409, "concurrent")


def claim(
    user_id: int, lesson_id: int | None, session: str | None, sequence: int | None, cost: float, now: datetime
) -> None:
    """Spend ``cost`` seconds of the member's budget on a heartbeat of their active viewing session,
    in the caller's transaction (the row stays locked until it ends); raise HeartbeatRefused when the
    rules refuse it or another heartbeat of the member's got in first."""
    viewer = read_or_create(user_id, now)
    spend(viewer, lesson_id, session, sequence, cost, now)
    if not write(user_id, viewer):
        raise HeartbeatRefused(409, "concurrent")
