"""Who may see, author and assign which courses: the one place for these rules.

Members see published courses. Trainers author courses and edit their own; admins edit all.
Reviewers (and admins) decide on courses submitted for review, never their own (app/courses/review.py).
Assignments: admins and trainers assign to any unit, secretaries only inside their subtree.
List queries are scoped in SQL by the same rules.
"""

from sqlalchemy import Select, false, select

from app.auth.models import Role, User
from app.courses.models import Assignment, Course, CourseStatus
from app.org.models import OrgUnit
from app.org.permissions import managed_paths, path_covered, scoped_units


def can_author(user: User) -> bool:
    return user.is_authenticated and bool(user.roles & {Role.TRAINER, Role.ADMIN})


def can_edit_course(user: User, course: Course) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.TRAINER) and course.owner_id == user.id


def can_review(user: User) -> bool:
    """Reviewers (and admins) approve or return courses submitted for review."""
    return user.is_authenticated and bool(user.roles & {Role.REVIEWER, Role.ADMIN})


def editable_courses(user: User) -> Select[Course]:
    """Select the courses the user may edit."""
    statement = select(Course)
    if user.has_role(Role.ADMIN):
        return statement
    if user.has_role(Role.TRAINER):
        return statement.where(Course.owner_id == user.id)
    return statement.where(false())


def visible_courses(user: User) -> Select[Course]:
    """Select the courses the user may open as a learner: published ones."""
    return select(Course).where(Course.status == CourseStatus.PUBLISHED)


def can_view_course(user: User, course: Course) -> bool:
    return course.status is CourseStatus.PUBLISHED or can_edit_course(user, course)


def assigns_anywhere(user: User) -> bool:
    return user.is_authenticated and bool(user.roles & {Role.TRAINER, Role.ADMIN})


def can_assign(user: User) -> bool:
    """Whether the user may assign courses at all (to some unit)."""
    return assigns_anywhere(user) or managed_paths(user) != []


def assignable_units(user: User) -> Select[OrgUnit]:
    """Select the units the user may assign courses to."""
    if assigns_anywhere(user):
        return select(OrgUnit)
    return scoped_units(user)


def can_assign_to(user: User, unit: OrgUnit) -> bool:
    if assigns_anywhere(user):
        return True
    return path_covered(managed_paths(user), unit.path)


def visible_assignments(user: User, course: Course) -> Select[Assignment]:
    """Select a course's assignments to units the user may assign to."""
    statement = select(Assignment).where(Assignment.course_id == course.id)
    if assigns_anywhere(user):
        return statement
    units = assignable_units(user).with_only_columns(OrgUnit.id)
    return statement.where(Assignment.unit_id.in_(units))
