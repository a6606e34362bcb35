"""Rules a unit sets in versions, inherited down the tree: the one place for how they apply.

A unit's rule (the 学时 conversion rule of ``progress``, the self-study rule of ``selfstudy``) is a list
of versions that are never edited: setting the rule adds the next version, so a credit keeps naming
the version it was counted with. A version applies from the moment it is added; at a given moment the
unit's own latest version applies, else that of the nearest unit above it that has one. Each rule is a
model mixing in ``UnitRuleVersion``; what a version says and what applies without one stay with it.
"""

from datetime import datetime
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.audit.services import record_audit
from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.org.models import OrgUnit, nearest_on_path
from app.timeutil import utcnow


class UnitRuleVersion:
    """The columns of one version of a unit's rule; the model adds what the rule says, its table name
    and its unique (unit_id, version) constraint."""

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @declared_attr
    def unit(cls) -> Mapped[OrgUnit]:
        return relationship(OrgUnit)

    @property
    def label(self) -> str:
        """The version's name in ledger entries and the audit log (each rule has its own form)."""
        raise NotImplementedError


Rule = TypeVar("Rule", bound=UnitRuleVersion)


def nearest_version(model: type[Rule], unit: OrgUnit | None, at: datetime | None = None) -> Rule | None:
    """The latest version (added by ``at``, else now) of the unit's own rule, else of the nearest
    unit above it that has one; None when no unit on the path has one."""
    path = unit.path_ids if unit else []
    if not path:
        return None
    versions = select(model.unit_id, func.max(model.version).label("version")).where(model.unit_id.in_(path))
    if at is not None:
        versions = versions.where(model.created_at <= at)
    latest = versions.group_by(model.unit_id).subquery()
    rows = db.session.scalars(
        select(model).join(latest, (model.unit_id == latest.c.unit_id) & (model.version == latest.c.version))
    )
    by_unit = {rule.unit_id: rule for rule in rows}
    return nearest_on_path(path, by_unit)


def version_history(model: type[Rule], unit: OrgUnit) -> list[tuple[Rule, User | None]]:
    """The unit's own versions, newest first, each with the account that added it."""
    rows = db.session.execute(
        select(model, User)
        .outerjoin(User, model.created_by_id == User.id)
        .where(model.unit_id == unit.id)
        .order_by(model.version.desc())
    )
    return [(rule, author) for rule, author in rows]


def version_labels(model: type[Rule]) -> set[str]:
    """The label of every version of every unit (``flask progress verify`` accepts them)."""
    return {rule.label for rule in db.session.scalars(select(model))}


def add_version(
    rule: Rule,
    unit: OrgUnit,
    created_by: User | None,
    audit_name: str,
    audit_detail: dict[str, Any],
    conflict: type[DomainError],
) -> Rule:
    """Save ``rule`` (what it says already set) as the unit's next version, audited as
    ``<audit_name>.set`` with the unit, the version and ``audit_detail``; commit.

    Earlier versions stay as they are. When someone adds a version of the same unit at the same moment,
    the unique (unit_id, version) key refuses the second: ``conflict`` is raised, nothing is saved.
    """
    model = type(rule)
    rule.unit_id = unit.id
    rule.version = (
        db.session.scalar(select(func.max(model.version)).where(model.unit_id == unit.id)) or 0
    ) + 1
    rule.created_by_id = created_by.id if created_by else None
    db.session.add(rule)
    record_audit(
        created_by,
        f"{audit_name}.set",
        audit_name,
        rule.label,
        {"unit_id": unit.id, "version": rule.version, **audit_detail},
    )
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise conflict(_("Someone changed this rule at the same moment; try again.")) from error
    return rule
