"""Who may publish, read and follow up which notices: the one place for these rules.

A notice reaches everyone in its unit's subtree. Secretaries publish to the units they manage
(app.org.permissions) and follow up the notices of those units; admins everything. A member reads
the notices of their own unit and of the units above it, and nothing else (others answer 404).
"""

from sqlalchemy import Select, false, or_, select

from app.auth.models import User
from app.notices.models import Notice
from app.org.models import OrgUnit
from app.org.permissions import can_manage_org, can_manage_unit, managed_paths, scoped_units


def can_publish(user: User) -> bool:
    return user.is_authenticated and can_manage_org(user)


def publishable_units(user: User) -> Select[OrgUnit]:
    """Select the units the user may publish notices to: their managed subtree."""
    return scoped_units(user)


def can_publish_to(user: User, unit: OrgUnit) -> bool:
    return can_publish(user) and can_manage_unit(user, unit)


def can_manage_notice(user: User, notice: Notice) -> bool:
    """Edit, see the receipts and deliveries of, and send reminders for a notice."""
    return can_publish_to(user, notice.unit)


def can_configure_robots(user: User, unit: OrgUnit) -> bool:
    """Set up a unit's group robots: whoever may publish to the unit (its secretaries, admins)."""
    return can_publish_to(user, unit)


def audience_unit_ids(user: User) -> list[int]:
    """The units whose notices reach the user: their own unit and every unit above it."""
    if not user.is_authenticated or user.unit is None:
        return []
    return user.unit.path_ids


def received_notices(user: User) -> Select[Notice]:
    """Select the notices addressed to the user (their inbox)."""
    ids = audience_unit_ids(user)
    return select(Notice).where(Notice.unit_id.in_(ids) if ids else false())


def managed_notices(user: User) -> Select[Notice]:
    """Select the notices the user follows up: those of the units they manage."""
    if not can_publish(user):
        return select(Notice).where(false())
    if managed_paths(user) is None:
        return select(Notice)
    return select(Notice).where(Notice.unit_id.in_(scoped_units(user).with_only_columns(OrgUnit.id)))


def readable_notices(user: User) -> Select[Notice]:
    """Select every notice the user may open: received or managed."""
    ids = audience_unit_ids(user)
    conditions = [Notice.unit_id.in_(ids)] if ids else []
    if can_publish(user):
        if managed_paths(user) is None:
            return select(Notice)
        conditions.append(Notice.unit_id.in_(scoped_units(user).with_only_columns(OrgUnit.id)))
    return select(Notice).where(or_(*conditions) if conditions else false())


def is_addressee(user: User, notice: Notice) -> bool:
    return notice.unit_id in audience_unit_ids(user)
