"""Who may do what with a live lesson: the one place for these rules.

A member watches a live lesson of a course they may see and asks questions while it is live; the
course's editors (its trainer, admins) see the encoder settings and answer or pin questions. The
pages' and API's loaders (docs/architecture.md "Route permissions: one idiom") are here too: a lesson
the user may not see answers 404; one they see but may not act on, 403.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import User
from app.auth.permissions import is_read_only
from app.courses.models import Lesson
from app.courses.permissions import can_edit_course, can_view_course
from app.extensions import db
from app.live.services import live_lesson
from app.org.models import OrgUnit
from app.org.permissions import managed_paths
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


def watchable_or_404(lesson_id: int) -> Lesson:
    """The live lesson, if the signed-in user may watch it (else 404, as if it did not exist)."""
    lesson = live_lesson(lesson_id)
    if lesson is None or not can_watch(current_user, lesson):
        abort(404)
    return lesson


def attendable_or_404(lesson_id: int) -> Lesson:
    """The live lesson, if the user may attend it (ask questions): 403 for one they only watch."""
    lesson = watchable_or_404(lesson_id)
    if not can_attend(current_user, lesson):
        abort(403)
    return lesson


def hosted_or_404(lesson_id: int) -> Lesson:
    """The live lesson, if the user hosts it (stream key, answering, pinning): 403 for one they watch."""
    lesson = watchable_or_404(lesson_id)
    if not can_host(current_user, lesson):
        abort(403)
    return lesson


def reported_or_404(lesson_id: int) -> tuple[Lesson, list[str] | None]:
    """The live lesson and the subtrees its attendance report covers for the user (None: all):
    its host sees everyone, a secretary their units; 403 for a member who manages none."""
    lesson = watchable_or_404(lesson_id)
    paths = None if can_host(current_user, lesson) else managed_paths(current_user)
    if paths == []:
        abort(403)
    return lesson, paths
