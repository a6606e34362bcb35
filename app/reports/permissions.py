"""Who may see which reports: the one place for the rule.

A unit's report (every member's figures in it) is for the secretaries of that unit or above, for
admins and for auditors (who read everything and change nothing); a member's own figures are also for
the member. Out-of-scope objects answer 404, as the
organisation pages do, so the names of other units and people are not leaked.
"""

from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.org import permissions as org
from app.org.models import OrgUnit


def is_auditor(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.AUDITOR)


def can_view_unit_report(user: User, unit: OrgUnit) -> bool:
    return is_auditor(user) or org.can_manage_unit(user, unit)


def can_change_schedule(user: User, unit: OrgUnit) -> bool:
    return org.can_manage_unit(user, unit)


def can_view_member_report(user: User, member: User) -> bool:
    return is_auditor(user) or org.can_view_member(user, member)


def reportable_units(user: User) -> list[OrgUnit]:
    """The top units of the user's scope (their grants' units; the root units for an admin)."""
    paths = None if is_auditor(user) else org.managed_paths(user)
    if paths is None:
        return list(
            db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.name))
        )
    tops = [path for path in paths if not any(path != other and path.startswith(other) for other in paths)]
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.path.in_(tops)).order_by(OrgUnit.name)))


def can_see_reports(user: User) -> bool:
    """Whether the user has any unit to report on (the reports pages' route rule)."""
    return bool(reportable_units(user))
