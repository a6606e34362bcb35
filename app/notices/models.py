"""Notices, their edit history, attachments, each reader's receipt, and reminders."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import Model
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
