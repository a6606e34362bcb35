"""Annual 学时 targets: set per unit and role, inherited down the tree (the one target rule)."""

from decimal import Decimal

from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.org.models import OrgUnit, nearest_on_path
from app.progress.ledger.figures import HoursInput, parse_hours
from app.progress.models import Target
from app.timeutil import utcnow

DEFAULT_TARGET = Decimal("32")  # 《中国共产党党员教育管理工作条例》第二十条


def set_target(unit: OrgUnit, role: Role, year: int, hours: HoursInput, set_by: User | None) -> Target:
    """Set the annual target for a role in a unit and everything below it (unless overridden there)."""
    amount = parse_hours(hours, "0", "500")
    target = db.session.scalar(
        select(Target).where(Target.unit_id == unit.id, Target.role == role, Target.year == year)
    )
    if target is None:
        target = Target(unit_id=unit.id, role=role, year=year)
        db.session.add(target)
    target.hours = amount
    target.set_by_id = set_by.id if set_by else None
    target.set_at = utcnow()
    db.session.commit()
    return target


def unit_target(unit: OrgUnit, role: Role, year: int) -> tuple[Decimal | None, Target | None]:
    """The target a role has in a unit (its own or the nearest ancestor's), with the row setting it."""
    path = unit.path_ids if unit else []
    rows = {
        target.unit_id: target
        for target in db.session.scalars(
            select(Target).where(Target.unit_id.in_(path), Target.role == role, Target.year == year)
        )
    }
    nearest = nearest_on_path(path, rows)
    if nearest is not None:
        return nearest.hours, nearest
    return (DEFAULT_TARGET if role is Role.MEMBER else None), None


def nearest_target(roles: set[Role], path: list[int], targets: dict[tuple[int, Role], Decimal]) -> Decimal:
    """The yearly target rule, in one place: for each of the member's roles (the members' role always
    among them) the target of the nearest unit on their ``path`` that sets one, and the highest of
    those; the members' default where no unit sets the members' target. ``targets`` maps (unit id,
    role) to hours for the units on the path."""
    values = []
    for role in set(roles) | {Role.MEMBER}:
        nearest = nearest_on_path(
            path, {unit_id: hours for (unit_id, of), hours in targets.items() if of is role}
        )
        if nearest is not None:
            values.append(nearest)
        elif role is Role.MEMBER:
            values.append(DEFAULT_TARGET)
    return max(values)


def target_for(member: User, year: int) -> Decimal:
    """The member's yearly target (``nearest_target`` over the targets set on their path)."""
    path = member.unit.path_ids if member.unit else []
    rows = db.session.execute(
        select(Target.unit_id, Target.role, Target.hours).where(Target.unit_id.in_(path), Target.year == year)
    )
    return nearest_target(member.roles, path, {(unit_id, role): hours for unit_id, role, hours in rows})
