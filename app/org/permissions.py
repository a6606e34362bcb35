"""Who may see and manage which organisation units and members: the one place for these rules.

A secretary's grant covers the unit it names and everything below it; an admin sees everything.
List queries are filtered by the same rule in SQL, so a forgotten check cannot leak rows.
"""

from sqlalchemy import ColumnElement, Select, false, or_, select

from app.auth.models import Role, User
from app.extensions import db
from app.org.models import OrgUnit, path_covers


def managed_paths(user: User) -> list[str] | None:
    """Return the path prefixes a user manages: None means all (admin), [] means none."""
    if not user.is_authenticated:
        return []
    if user.has_role(Role.ADMIN):
        return None
    unit_ids = [grant.unit_id for grant in user.role_grants if grant.role is Role.SECRETARY and grant.unit_id]
    if not unit_ids:
        return []
    return list(db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(unit_ids))))


def _subtree_filter(paths: list[str] | None) -> ColumnElement[bool] | None:
    if paths is None:
        return None
    if not paths:
        return false()
    return or_(*(OrgUnit.in_subtree(path) for path in paths))


def scoped_units(user: User) -> Select[OrgUnit]:
    """Select the units the user may see and manage."""
    statement = select(OrgUnit)
    condition = _subtree_filter(managed_paths(user))
    return statement if condition is None else statement.where(condition)


def scoped_members(user: User) -> Select[User]:
    """Select the accounts in units the user manages (admins also see accounts without a unit)."""
    statement = select(User)
    condition = _subtree_filter(managed_paths(user))
    if condition is None:
        return statement
    return statement.join(OrgUnit, User.unit_id == OrgUnit.id).where(condition)


def can_manage_org(user: User) -> bool:
    return managed_paths(user) != []


def path_covered(paths: list[str] | None, unit_path: str) -> bool:
    """Whether a unit at ``unit_path`` lies under one of ``paths`` (None: everything)."""
    return paths is None or any(path_covers(path, unit_path) for path in paths)


def can_manage_unit(user: User, unit: OrgUnit) -> bool:
    return path_covered(managed_paths(user), unit.path)


def can_view_member(user: User, member: User) -> bool:
    if user.id == member.id:
        return True
    paths = managed_paths(user)
    return paths is None or (member.unit is not None and path_covered(paths, member.unit.path))


def can_grant_role(user: User, role: Role) -> bool:
    """Secretaries may give every role but admin and auditor, and only inside their subtree."""
    return user.has_role(Role.ADMIN) or (role not in (Role.ADMIN, Role.AUDITOR) and can_manage_org(user))
