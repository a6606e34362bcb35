"""Scheduled reports, the history of the ones sent, and the reminders members received."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import Model, str_enum
from app.org.models import OrgUnit
from app.timeutil import utcnow


class ReportPeriod(enum.StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ReportSchedule(Model):
    """Which periodic reports a unit's secretaries receive."""

    __tablename__ = "report_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), unique=True)
    weekly: Mapped[bool] = mapped_column(default=False)
    monthly: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship()


class ReportRun(Model):
    """One periodic report as generated: its figures and workbook are kept as they were sent."""

    __tablename__ = "report_runs"
    __table_args__ = (
        # One report per unit and period: a second run in the same week or month finds it made.
        UniqueConstraint("unit_id", "period", "period_key", name="uq_report_runs_unit_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    period: Mapped[ReportPeriod] = mapped_column(str_enum(ReportPeriod))
    period_key: Mapped[str] = mapped_column(String(10))  # 2026-W47 or 2026-11
    year: Mapped[int]
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    reminders: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # members reminded that week
    workbook: Mapped[bytes] = mapped_column(LargeBinary)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)

    unit: Mapped[OrgUnit] = relationship()


class ReminderReason(enum.StrEnum):
    PACE = "pace"  # behind the pace needed to reach the annual target
    DEADLINE = "deadline"  # a required course due soon and not completed


class Reminder(Model):
    """An in-app reminder to a member, at most one per reason and subject a week."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "reason", "subject", "week", name="uq_reminders_user_reason_subject_week"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[ReminderReason] = mapped_column(str_enum(ReminderReason))
    subject: Mapped[str] = mapped_column(String(80))  # the course slug, or the year for the pace
    week: Mapped[str] = mapped_column(String(10))  # 2026-W47
    detail: Mapped[str] = mapped_column(Text, default="")  # the course title and due date, or the hours
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dismissed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
