"""The rows a video heartbeat reads and writes, in SQLAlchemy Core: one SELECT, then two writes.

The SELECT joins the member's viewer row (viewer.COLUMNS), their account, the lesson's video and
their played intervals; the writes are the viewer row's (``viewer.write``, which decides a race) and,
only when it won, the played intervals. The models stay the schema and heartbeats.py keeps the
rules; this module only moves the values in and out.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, insert, select, update

from app.auth.models import User
from app.courses.models import Course, Lesson, LessonKind
from app.extensions import db
from app.media.models import Video, VideoStatus
from app.progress.models import LessonProgress, VideoProgress
from app.progress.permissions import watchable_for_credit
from app.progress.watching import viewer
from app.progress.watching.viewer import ViewerState

lessons, courses, videos = Lesson.__table__, Course.__table__, Video.__table__
video_progress = VideoProgress.metadata.tables[VideoProgress.__tablename__]  # a Table: it is written
lesson_progress = LessonProgress.__table__
users, viewers = User.__table__, viewer.viewers


@dataclass
class WatchState:
    """What a heartbeat needs: the member's viewer, the lesson's video and their played intervals."""

    user_id: int
    lesson_id: int
    duration: float | None  # None until the video is ready
    viewer: ViewerState
    progress_id: int | None  # None before the member's first credited interval on the lesson
    intervals: list[list[float]]
    completed: bool
    # The account as it is now: a viewing token is honoured only for an active account still at the
    # session version it names (app/progress/watching/viewing.py).
    account_active: bool
    session_version: int


# The statements are built once: building and cache-keying them cost more than running them.
READ = (
    select(
        *viewer.COLUMNS,
        videos.c.status,
        videos.c.duration,
        video_progress.c.id,
        video_progress.c.intervals,
        lesson_progress.c.completed_at,
        users.c.active,
        users.c.session_version,
    )
    .select_from(viewers)
    .join(users, users.c.id == viewers.c.user_id)
    .join(lessons, lessons.c.id == bindparam("lesson_id"))
    .join(courses, courses.c.id == lessons.c.course_id)
    .outerjoin(videos, videos.c.id == lessons.c.video_id)
    .outerjoin(
        video_progress,
        and_(video_progress.c.user_id == viewers.c.user_id, video_progress.c.lesson_id == lessons.c.id),
    )
    .outerjoin(
        lesson_progress,
        and_(lesson_progress.c.user_id == viewers.c.user_id, lesson_progress.c.lesson_id == lessons.c.id),
    )
    .where(viewers.c.user_id == bindparam("user_id"), watchable_for_credit(LessonKind.VIDEO))
)
ADD_PROGRESS = insert(video_progress)
WRITE_PROGRESS = update(video_progress).where(video_progress.c.id == bindparam("progress_id"))


def read(user_id: int, lesson_id: int) -> WatchState | None:
    """The member's watch state on a video lesson they may watch for credit; None when the lesson
    is not one they may watch, or they have no viewer row yet."""
    found = db.session.connection().execute(READ, {"user_id": user_id, "lesson_id": lesson_id}).first()
    if found is None:
        return None
    values = found._mapping
    ready = values[videos.c.status] is VideoStatus.READY and values[videos.c.duration]
    return WatchState(
        user_id=user_id,
        lesson_id=lesson_id,
        duration=float(values[videos.c.duration]) if ready else None,
        viewer=ViewerState.from_row(values),
        progress_id=values[video_progress.c.id],
        intervals=values[video_progress.c.intervals] or [],
        completed=values[lesson_progress.c.completed_at] is not None,
        account_active=values[users.c.active],
        session_version=values[users.c.session_version],
    )


def write(state: WatchState, verified_seconds: float, resume_at: float, now: datetime) -> bool:
    """Store the spent budget and the new intervals in the caller's transaction. False, writing
    nothing, when another heartbeat of the member's changed their viewer row since ``read``: every
    write of the played intervals follows a won viewer write, so none is lost or counted twice."""
    if not viewer.write(state.user_id, state.viewer):
        return False
    connection = db.session.connection()
    played = {
        "intervals": state.intervals,
        "verified_seconds": verified_seconds,
        "resume_at": resume_at,
        "updated_at": now,
    }
    if state.progress_id is None:
        connection.execute(ADD_PROGRESS, {"user_id": state.user_id, "lesson_id": state.lesson_id, **played})
    else:
        connection.execute(WRITE_PROGRESS, {"progress_id": state.progress_id, **played})
    return True
