"""Notices, their edit history, attachments, each reader's receipt, reminders, and their delivery
by e-mail and to the units' group robots (企业微信 / 钉钉)."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import Model, str_enum
from app.org.models import OrgUnit
from app.timeutil import utcnow


class Notice(Model):
    """A notice to a unit and everyone below it; ``version`` counts its published edits."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered through app.markup
    deadline: Mapped[date | None]
    requires_ack: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]

    unit: Mapped[OrgUnit] = relationship()
    sender: Mapped[User] = relationship()
    revisions: Mapped[list["NoticeRevision"]] = relationship(
        back_populates="notice", order_by="NoticeRevision.number", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["NoticeAttachment"]] = relationship(
        back_populates="notice", order_by="NoticeAttachment.id", cascade="all, delete-orphan"
    )
    deliveries: Mapped[list["NoticeDelivery"]] = relationship(
        back_populates="notice", order_by="NoticeDelivery.id", cascade="all, delete-orphan"
    )

    @property
    def was_edited(self) -> bool:
        return self.edited_at is not None


class NoticeRevision(Model):
    """A notice as published at one version: appended on publishing and on every edit."""

    __tablename__ = "notice_revisions"
    __table_args__ = (UniqueConstraint("notice_id", "number", name="uq_notice_revisions_notice_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None]
    requires_ack: Mapped[bool] = mapped_column(default=False)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    notice: Mapped[Notice] = relationship(back_populates="revisions")
    editor: Mapped[User] = relationship()


class NoticeAttachment(Model):
    """An image or PDF attached to a notice, stored as MEDIA_ROOT/notices/<stored_name>."""

    __tablename__ = "notice_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))  # the name shown and offered on download
    stored_name: Mapped[str] = mapped_column(String(100))  # <sha256>.<ext>, typed by content
    mimetype: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    notice: Mapped[Notice] = relationship(back_populates="attachments")


class NoticeReceipt(Model):
    """One reader of one notice: when it was first opened and when it was acknowledged."""

    __tablename__ = "notice_receipts"
    __table_args__ = (UniqueConstraint("notice_id", "user_id", name="uq_notice_receipts_notice_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]


class NoticeReminder(Model):
    """An in-app reminder to a member who has not read (or acknowledged) a notice."""

    __tablename__ = "notice_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reminded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RobotKind(enum.StrEnum):
    WECOM = "wecom"  # 企业微信群机器人
    DINGTALK = "dingtalk"  # 钉钉自定义机器人


class GroupRobot(Model):
    """A unit's group robot: notices to the unit (or above it) can be pushed to its group chat.

    ``webhook_url`` carries the robot's key (企业微信) or access token (钉钉) and ``secret`` the
    DingTalk signing secret: both are credentials, stored as given and never shown back in full.
    """

    __tablename__ = "notice_robots"
    __table_args__ = (UniqueConstraint("unit_id", "kind", name="uq_notice_robots_unit_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RobotKind] = mapped_column(str_enum(RobotKind))
    webhook_url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200), default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship()


class DeliveryChannel(enum.StrEnum):
    EMAIL = "email"
    WECOM = "wecom"
    DINGTALK = "dingtalk"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # queued, or waiting for its next attempt
    SENT = "sent"
    FAILED = "failed"  # every attempt failed; ``last_error`` says why


class NoticeDelivery(Model):
    """One way a notice goes out: e-mail to its addressees, or one unit's group robot.

    The job queue makes the attempts; the row is the truth about them (attempts, the last error,
    when the next attempt is due), so the sender sees each channel's status on the notice.
    """

    __tablename__ = "notice_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    channel: Mapped[DeliveryChannel] = mapped_column(str_enum(DeliveryChannel))
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("notice_robots.id", ondelete="SET NULL"))
    target: Mapped[str] = mapped_column(String(200), default="")  # the robot's unit, or "12 recipients"
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus), default=DeliveryStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    notice: Mapped[Notice] = relationship(back_populates="deliveries")
    robot: Mapped[GroupRobot | None] = relationship()
