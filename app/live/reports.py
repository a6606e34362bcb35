"""Who attended a live lesson: live, by its replay, in a group viewing (集中收看), or absent.

The members expected are the active members under the units the lesson's course is assigned to (in
the year of the broadcast), and anyone who watched; a secretary sees only their subtree, the course's
trainer and admins see everyone.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.auth.models import User
from app.courses.models import Assignment, Lesson
from app.extensions import db
from app.live.models import LiveAttendance
from app.org.models import OrgUnit
from app.progress.ledger import local_year
from app.progress.models import Attendance, LessonProgress, StudySession, VideoProgress

ATTENDED_LIVE, GROUP_VIEWING, WATCHED_REPLAY, ABSENT = (
    "attended_live",
    "group_viewing",
    "watched_replay",
    "absent",
)
STATUS_LABELS = {
    ATTENDED_LIVE: _l("Attended live"),
    GROUP_VIEWING: _l("Group viewing"),
    WATCHED_REPLAY: _l("Watched the replay"),
    ABSENT: _l("Absent"),
}


@dataclass
class ReportRow:
    member: User
    unit_name: str
    status: str
    attended_seconds: float
    replay_seconds: float
    completed: bool


def live_report(lesson: Lesson, paths: list[str] | None) -> list[ReportRow]:
    """One row per expected or watching member inside ``paths``, absent ones first."""
    year = local_year(lesson.live_starts_at) if lesson.live_starts_at else local_year()
    assigned_paths = list(
        db.session.scalars(
            select(OrgUnit.path)
            .join(Assignment, Assignment.unit_id == OrgUnit.id)
            .where(Assignment.course_id == lesson.course_id, Assignment.year == year)
        )
    )
    live = dict(
        db.session.execute(
            select(LiveAttendance.user_id, LiveAttendance.attended_seconds).where(
                LiveAttendance.lesson_id == lesson.id
            )
        ).all()
    )
    replay = dict(
        db.session.execute(
            select(VideoProgress.user_id, VideoProgress.verified_seconds).where(
                VideoProgress.lesson_id == lesson.id
            )
        ).all()
    )
    in_room = set(
        db.session.scalars(
            select(Attendance.user_id)
            .join(StudySession, Attendance.session_id == StudySession.id)
            .where(StudySession.lesson_id == lesson.id)
        )
    )
    completed = set(
        db.session.scalars(
            select(LessonProgress.user_id).where(
                LessonProgress.lesson_id == lesson.id, LessonProgress.completed_at.is_not(None)
            )
        )
    )
    expected = [OrgUnit.in_subtree(path) for path in assigned_paths]
    watched = User.id.in_(set(live) | set(replay) | in_room)
    statement = (
        select(User, OrgUnit.name)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(User.active.is_(True), or_(watched, *expected))
        .order_by(OrgUnit.path, User.display_name)
    )
    if paths is not None:
        if not paths:
            return []
        statement = statement.where(or_(*(OrgUnit.in_subtree(path) for path in paths)))
    rows = []
    for member, unit_name in db.session.execute(statement):
        attended = live.get(member.id, 0.0) or 0.0
        replayed = replay.get(member.id, 0.0) or 0.0
        if attended > 0:
            status = ATTENDED_LIVE
        elif member.id in in_room:
            status = GROUP_VIEWING
        elif replayed > 0:
            status = WATCHED_REPLAY
        else:
            status = ABSENT
        rows.append(ReportRow(member, unit_name, status, attended, replayed, member.id in completed))
    order = {ABSENT: 0, WATCHED_REPLAY: 1, GROUP_VIEWING: 2, ATTENDED_LIVE: 3}
    return sorted(rows, key=lambda row: order[row.status])


def summary(rows: list[ReportRow]) -> dict[str, int]:
    counts = {ATTENDED_LIVE: 0, GROUP_VIEWING: 0, WATCHED_REPLAY: 0, ABSENT: 0}
    for row in rows:
        counts[row.status] += 1
    return counts
