"""The organisation tree (党委 → 党总支 → 党支部) and the history of members' moves."""

import enum
import re
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import Model, db, str_enum
from app.timeutil import utcnow

T = TypeVar("T")


class UnitKind(enum.StrEnum):
    COMMITTEE = "committee"  # 党委
    GENERAL_BRANCH = "general_branch"  # 党总支
    BRANCH = "branch"  # 党支部
    OTHER = "other"


PATH_PATTERN = re.compile(r"/(?:\d+/)+")


# Between the names of a unit's path ("机关党委/第一党支部"); materialised paths use it between ids too.
PATH_SEPARATOR = "/"


def path_ids(path: str) -> list[int]:
    """The unit ids a materialised path such as "/1/7/42/" names, the root first."""
    return [int(part) for part in path.strip("/").split("/") if part]


def nearest_on_path(path_ids: list[int], by_unit: Mapping[int, T]) -> T | None:
    """What the nearest unit on a path (its last id first, then up towards the root) has in
    ``by_unit``: the one rule by which a unit's own setting wins over any ancestor's."""
    return next((by_unit[unit_id] for unit_id in reversed(path_ids) if unit_id in by_unit), None)


def path_covers(path: str, other_path: str) -> bool:
    """Whether the unit at ``other_path`` is the unit at ``path`` or lies below it."""
    return other_path.startswith(path)


class OrgUnit(Model):
    __tablename__ = "org_units"
    __table_args__ = (
        UniqueConstraint("parent_id", "name", name="uq_org_units_parent_name"),
        # varchar_pattern_ops lets PostgreSQL use the index for "path LIKE '/1/7/%'" in any collation.
        Index("ix_org_units_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    # Materialised path of ids, "/1/7/42/": a whole subtree is one indexed prefix query.
    path: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["OrgUnit"]] = relationship(back_populates="parent", order_by="OrgUnit.name")
    members: Mapped[list[User]] = relationship(back_populates="unit", order_by=User.username)

    @staticmethod
    def in_subtree(path: str) -> ColumnElement[bool]:
        """Match units whose path starts with ``path``: the unit itself and everything below it."""
        if not PATH_PATTERN.fullmatch(path):
            raise ValueError(f"not a unit path: {path!r}")
        return OrgUnit.path.like(f"{path}%")  # digits and slashes only, so nothing to escape

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def path_ids(self) -> list[int]:
        """The ids on the unit's path, the root first and the unit itself last."""
        return path_ids(self.path)

    @property
    def ancestor_ids(self) -> list[int]:
        return self.path_ids[:-1]

    @property
    def name_path(self) -> str:
        """ "党委/总支/支部": the names from the root down to this unit (``name_paths`` for many units at
        once). A property, so that auth's ``/api/v1/me`` shows it without importing org."""
        return name_paths([self])[self.id]

    def covers(self, other: "OrgUnit | None") -> bool:
        """Whether ``other`` is this unit or lies anywhere below it (in its subtree)."""
        return other is not None and path_covers(self.path, other.path)

    def __repr__(self) -> str:
        return f"<OrgUnit {self.id} {self.name}>"


class ChangeSource(enum.StrEnum):
    CREATED = "created"  # first placement when the account was made
    TRANSFER = "transfer"  # a secretary or admin recorded a transfer
    ROSTER = "roster"  # a roster import placed the member elsewhere


class MembershipChange(Model):
    """One move of a member between units (组织关系转接): appended, never edited."""

    __tablename__ = "membership_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[ChangeSource] = mapped_column(str_enum(ChangeSource), default=ChangeSource.TRANSFER)
    reason: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    from_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[from_unit_id])
    to_unit: Mapped[OrgUnit] = relationship(foreign_keys=[to_unit_id])
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])


def name_paths(units: list[OrgUnit]) -> dict[int, str]:
    """Return "党委/总支/支部" for each unit, reading all ancestors in one query."""
    ancestor_ids = {unit_id for unit in units for unit_id in unit.path_ids}
    names = dict(
        db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ancestor_ids))).all()
    )
    return {unit.id: PATH_SEPARATOR.join(names[unit_id] for unit_id in unit.path_ids) for unit in units}
