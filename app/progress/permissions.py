"""Who may record in-person sessions and see whose study record: the one place for these rules.

A member sees only their own record; a secretary records sessions for units in their subtree and
ticks attendance from those units' rosters; an admin may do both everywhere. Watching time counts
only on a current video lesson of a published course.
"""

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from app.auth.models import User
from app.courses.models import Course, CourseStatus, Lesson, LessonKind
from app.org.models import OrgUnit
from app.org.permissions import can_manage_org, can_manage_unit, managed_paths, scoped_units
from app.progress.models import StudySession


def can_record_sessions(user: User) -> bool:
    return can_manage_org(user)


def can_record_session_for(user: User, unit: OrgUnit) -> bool:
    return can_manage_unit(user, unit)


def session_units(user: User) -> Select[OrgUnit]:
    """Units the user may record sessions for."""
    return scoped_units(user)


def roster(unit: OrgUnit) -> Select[User]:
    """The active members of the unit and the units below it: who can be ticked as present."""
    return (
        select(User)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(OrgUnit.in_subtree(unit.path), User.active.is_(True))
        .order_by(User.display_name, User.username)
    )


def visible_sessions(user: User) -> Select[StudySession]:
    """Sessions recorded for units the user manages (none for a plain member)."""
    statement = select(StudySession).join(OrgUnit, StudySession.unit_id == OrgUnit.id)
    paths = managed_paths(user)
    if paths is None:
        return statement
    if not paths:
        return statement.where(false())
    return statement.where(or_(*(OrgUnit.in_subtree(path) for path in paths)))


def can_view_record(user: User, member: User) -> bool:
    """Only the member sees their own 我的学习 page."""
    return user.id == member.id


# Lessons whose video heartbeats may count: video lessons, and live lessons' replays (app/live).
VIDEO_KINDS = (LessonKind.VIDEO, LessonKind.LIVE)


def watchable_for_credit(kind: LessonKind) -> ColumnElement[bool]:
    """Where heartbeats may count, as a condition on a lesson joined with its course: a current lesson
    of that kind (video, with the replays of live lessons; or reading for reading time) in a
    published course. Every signed-in member may see a published course
    (courses.permissions.can_view_course), so the rule needs no user."""
    kinds = VIDEO_KINDS if kind is LessonKind.VIDEO else (kind,)
    return and_(Lesson.removed_at.is_(None), Lesson.kind.in_(kinds), Course.status == CourseStatus.PUBLISHED)
