"""Who may do what with a live lesson: the one place for these rules.

A member watches a live lesson of a course they may see and asks questions while it is live; the
course's editors (its trainer, admins) see the encoder settings and answer or pin questions.
"""

from sqlalchemy import select

from app.auth.models import User
from app.auth.permissions import is_read_only
from app.courses.models import Lesson
from app.courses.permissions import can_edit_course, can_view_course
from app.extensions import db
from app.org.models import OrgUnit
from app.progress.permissions import session_units


def can_watch(user: User, lesson: Lesson) -> bool:
    return can_view_course(user, lesson.course)


def can_attend(user: User, lesson: Lesson) -> bool:
    """Whether watching earns attendance (an auditor watches without becoming a learner)."""
    return lesson.course.is_published and can_watch(user, lesson) and not is_read_only(user)


def can_host(user: User, lesson: Lesson) -> bool:
    """The trainer's side: the stream key, answering and pinning questions."""
    return can_edit_course(user, lesson.course)


def group_viewing_unit(user: User) -> OrgUnit | None:
    """The unit a secretary records a group viewing (集中收看) for from the lesson page: the highest
    one they manage (they may pick another on the session list); None for anyone else."""
    ids = session_units(user).with_only_columns(OrgUnit.id)
    return db.session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.path).limit(1)
    ).first()
