"""Assessment targets, manually recorded values and the quarter's PDCA notes of a unit."""

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Role, User
from app.extensions import Model, str_enum
from app.org.models import OrgUnit
from app.timeutil import utcnow


class Measure(enum.StrEnum):
    AVERAGE_HOURS = "average_hours"  # 人均学时: the year's study hours per person, to the quarter's end
    REQUIRED_COMPLETION = "required_completion"  # 必修课完成率, in percent, to the quarter's end
    SESSIONS_HELD = "sessions_held"  # 集中学习次数: in-person sessions held in the year, to the quarter's end
    MANUAL = "manual"  # a value the secretary records for the quarter (named by the target)


class AssessmentTarget(Model):
    """A measure's required and stretch level for a role in a unit and its subtree, for one quarter
    (unless a unit below sets its own for the same measure)."""

    __tablename__ = "assessment_targets"
    __table_args__ = (
        UniqueConstraint(
            "unit_id", "role", "year", "quarter", "measure", "name", name="uq_assessment_targets_key"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    year: Mapped[int]
    quarter: Mapped[int]
    measure: Mapped[Measure] = mapped_column(str_enum(Measure))
    name: Mapped[str] = mapped_column(String(100), default="")  # a manual measure's name ("" otherwise)
    required_level: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    stretch_level: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship()


class ManualValue(Model):
    """A value a secretary recorded for a manual measure of their unit in a quarter."""

    __tablename__ = "assessment_values"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "quarter", "name", name="uq_assessment_values_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    quarter: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class PdcaNote(Model):
    """The secretary's plan / do / check / act notes for the unit's quarter (the 方针管理板's text)."""

    __tablename__ = "assessment_pdca_notes"
    __table_args__ = (UniqueConstraint("unit_id", "year", "quarter", name="uq_assessment_pdca_notes_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    quarter: Mapped[int]
    plan: Mapped[str] = mapped_column(Text, default="")
    do: Mapped[str] = mapped_column(Text, default="")
    check: Mapped[str] = mapped_column(Text, default="")
    act: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    updated_by: Mapped[User | None] = relationship()
