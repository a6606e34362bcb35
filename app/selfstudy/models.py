"""Self-study rules (versioned per unit, inherited down the tree) and verified watching of resources."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.org.unit_rules import UnitRuleVersion
from app.timeutil import utcnow


class SelfStudyRule(UnitRuleVersion, Model):
    """One version of a unit's self-study rule; the nearest unit's latest version applies below it
    (app/org/unit_rules.py)."""

    __tablename__ = "self_study_rules"
    __table_args__ = (UniqueConstraint("unit_id", "version", name="uq_self_study_rules_unit_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    earns_hours: Mapped[bool] = mapped_column(default=False)
    # A watched video credits its length in hours at one 学时 per this many minutes.
    minutes_per_hour: Mapped[int] = mapped_column(default=45)
    # The most self-study hours a member earns in a year (None: no limit).
    yearly_cap: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))

    @property
    def label(self) -> str:
        return f"selfstudy/unit{self.unit_id}/v{self.version}"


class ResourceWatch(Model):
    """The verified played intervals of one member on one video resource (their union is the credit)."""

    __tablename__ = "resource_watches"
    __table_args__ = (UniqueConstraint("user_id", "resource_id", name="uq_resource_watches_user_resource"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("library_resources.id", ondelete="CASCADE"), index=True
    )
    # The viewing session the resource page opened last (heartbeats of another session count nothing).
    session_token: Mapped[str | None] = mapped_column(String(32))
    intervals: Mapped[list[list[float]]] = mapped_column(
        JSON, default=list
    )  # [[start, end], ...] sorted, disjoint
    verified_seconds: Mapped[float] = mapped_column(default=0.0)
    resume_at: Mapped[float] = mapped_column(default=0.0)
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
