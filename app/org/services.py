"""Operations on the organisation tree and on members' places in it."""

from flask_babel import gettext as _
from sqlalchemy import String, func, literal, select, update

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.org.events import announce_member_placed
from app.org.models import (  # noqa: F401 -- name_paths: callers find it here too
    PATH_SEPARATOR,
    ChangeSource,
    MembershipChange,
    OrgUnit,
    UnitKind,
    name_paths,
)


class OrgError(DomainError):
    pass


def infer_kind(name: str) -> UnitKind:
    """Guess the unit's kind from the customary ending of its name."""
    if name.endswith("总支") or name.endswith("总支部"):
        return UnitKind.GENERAL_BRANCH
    if name.endswith("支部"):
        return UnitKind.BRANCH
    if name.endswith("党委") or name.endswith("委员会"):
        return UnitKind.COMMITTEE
    return UnitKind.OTHER


def split_name_path(name_path: str) -> list[str]:
    parts = [part.strip() for part in name_path.replace("\\", PATH_SEPARATOR).split(PATH_SEPARATOR)]
    names = [part for part in parts if part]
    if not names:
        raise OrgError(_("The organisation path is empty."))
    return names


def _validate_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise OrgError(_("The unit name must not be empty."))
    if PATH_SEPARATOR in name or len(name) > 100:
        raise OrgError(_('A unit name must be at most 100 characters and contain no "/".'))
    return name


def _child_named(parent_id: int | None, name: str) -> OrgUnit | None:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id == parent_id, OrgUnit.name == name))


def find_unit_by_name_path(name_path: str) -> OrgUnit | None:
    """Return the unit at "机关党委/第一党支部", or None when any level is missing."""
    unit = None
    for name in split_name_path(name_path):
        unit = _child_named(unit.id if unit else None, name)
        if unit is None:
            return None
    return unit


def name_path(unit: OrgUnit) -> str:
    return unit.name_path


def _insert_unit(name: str, parent: OrgUnit | None, kind: UnitKind | None) -> OrgUnit:
    unit = OrgUnit(name=name, parent=parent, kind=kind or infer_kind(name))
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.path = f"{parent.path if parent else PATH_SEPARATOR}{unit.id}{PATH_SEPARATOR}"
    return unit


def create_unit(name: str, parent: OrgUnit | None, kind: UnitKind | None = None) -> OrgUnit:
    name = _validate_name(name)
    if _child_named(parent.id if parent else None, name):
        raise OrgError(_('A unit named "%(name)s" already exists there.', name=name))
    unit = _insert_unit(name, parent, kind)
    db.session.commit()
    return unit


def ensure_unit_path(name_path: str) -> tuple[OrgUnit, int]:
    """Return the unit at ``name_path``, creating missing levels; also say how many were created."""
    parent: OrgUnit | None = None
    created = 0
    for raw_name in split_name_path(name_path):
        name = _validate_name(raw_name)
        unit = _child_named(parent.id if parent else None, name)
        if unit is None:
            unit = _insert_unit(name, parent, None)
            created += 1
        parent = unit
    assert parent is not None  # split_name_path refuses a path without names
    db.session.commit()
    return parent, created


def rename_unit(unit: OrgUnit, new_name: str) -> None:
    new_name = _validate_name(new_name)
    if new_name != unit.name and _child_named(unit.parent_id, new_name):
        raise OrgError(_('A unit named "%(name)s" already exists there.', name=new_name))
    unit.name = new_name
    db.session.commit()


def move_unit(unit: OrgUnit, new_parent: OrgUnit | None) -> None:
    """Move a unit with its whole subtree under ``new_parent``, rewriting paths in one statement."""
    if unit.covers(new_parent):
        raise OrgError(_("A unit cannot be moved into itself or one of its sub-units."))
    if _child_named(new_parent.id if new_parent else None, unit.name) not in (None, unit):
        raise OrgError(_('A unit named "%(name)s" already exists there.', name=unit.name))
    old_prefix = unit.path
    new_prefix = f"{new_parent.path if new_parent else PATH_SEPARATOR}{unit.id}{PATH_SEPARATOR}"
    unit.parent = new_parent
    db.session.flush()
    db.session.execute(
        update(OrgUnit)
        .where(OrgUnit.in_subtree(old_prefix))
        .values(
            path=literal(new_prefix, String())
            + func.substr(OrgUnit.path, len(old_prefix) + 1, type_=String())
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    db.session.expire_all()


def delete_unit(unit: OrgUnit) -> None:
    """Delete an empty unit; a unit with members, sub-units or history is kept."""
    has_history = db.session.scalar(
        select(func.count())
        .select_from(MembershipChange)
        .where((MembershipChange.from_unit_id == unit.id) | (MembershipChange.to_unit_id == unit.id))
    )
    if unit.children or unit.members or has_history:
        raise OrgError(_("Only an empty unit with no membership history can be deleted."))
    db.session.delete(unit)
    db.session.commit()


def place_member(
    member: User,
    unit: OrgUnit,
    changed_by: User | None,
    source: ChangeSource = ChangeSource.TRANSFER,
    reason: str = "",
) -> bool:
    """Put ``member`` in ``unit``, recording the move; the caller commits. Return whether it moved."""
    if member.unit_id == unit.id:
        return False
    db.session.add(
        MembershipChange(
            user=member,
            from_unit_id=member.unit_id,
            to_unit=unit,
            changed_by=changed_by,
            source=source,
            reason=reason.strip()[:200],
        )
    )
    member.unit = unit
    announce_member_placed(member)  # courses: enrolled in what the new unit's branch assigns
    return True


def move_member(member: User, unit: OrgUnit, changed_by: User | None, reason: str = "") -> None:
    if not place_member(member, unit, changed_by, ChangeSource.TRANSFER, reason):
        raise OrgError(_("The member is already in this unit."))
    db.session.commit()


def membership_history(member: User) -> list[MembershipChange]:
    return list(
        db.session.scalars(
            select(MembershipChange)
            .where(MembershipChange.user_id == member.id)
            .order_by(MembershipChange.changed_at.desc(), MembershipChange.id.desc())
        )
    )


def tree_rows(units: list[OrgUnit]) -> list[tuple[OrgUnit, int]]:
    """Order ``units`` depth-first by name, each with its depth relative to the shallowest."""
    by_parent: dict[int | None, list[OrgUnit]] = {}
    ids = {unit.id for unit in units}
    for unit in units:
        parent_key = unit.parent_id if unit.parent_id in ids else None
        by_parent.setdefault(parent_key, []).append(unit)
    rows: list[tuple[OrgUnit, int]] = []

    def walk(parent_key: int | None, depth: int) -> None:
        for unit in sorted(by_parent.get(parent_key, []), key=lambda u: u.name):
            rows.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return rows


def subtree_member_count(unit: OrgUnit) -> int:
    return db.session.execute(
        select(func.count(User.id))
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(OrgUnit.in_subtree(unit.path))
    ).scalar_one()
