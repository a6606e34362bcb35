"""Offline study: the grants a download carries, the play logs members upload, what each credited,
the online viewing spans they may not overlap, and each unit's switch for offline credit."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import Model
from app.org.models import OrgUnit
from app.timeutil import utcnow


class OfflineSetting(Model):
    """A unit's own say on offline credit; the nearest unit on a member's path that has one decides."""

    __tablename__ = "offline_settings"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True)
    credit_allowed: Mapped[bool]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship()


class OfflineGrant(Model):
    """A video lesson downloaded for offline study: the server's word on who, which lesson and when."""

    __tablename__ = "offline_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class OfflineUpload(Model):
    """One uploaded offline play log and what became of it: credited, or refused with its reason.

    Kept either way (a refused log earned nothing, and is the evidence of why)."""

    __tablename__ = "offline_uploads"
    __table_args__ = (Index("ix_offline_uploads_grant_log", "grant_id", "log_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int | None]  # as the grant named it (none when the grant was unreadable)
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("offline_grants.id", ondelete="CASCADE"))
    log_id: Mapped[str] = mapped_column(String(64), default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(20))  # credited | refused
    reason: Mapped[str] = mapped_column(String(40), default="")  # why it was refused
    played_seconds: Mapped[float] = mapped_column(default=0.0)  # media seconds the log claims
    new_seconds: Mapped[float] = mapped_column(default=0.0)  # of them, not verified before
    completed: Mapped[bool] = mapped_column(default=False)  # this upload completed the lesson
    plays: Mapped[list[Any]] = mapped_column(JSON, default=list)  # what was sent (bounded)

    user: Mapped[User] = relationship()


class OfflinePlay(Model):
    """One credited offline play: its media interval and the device's wall-clock window (adjusted)."""

    __tablename__ = "offline_plays"
    __table_args__ = (Index("ix_offline_plays_user_time", "user_id", "played_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    upload_id: Mapped[int] = mapped_column(ForeignKey("offline_uploads.id", ondelete="CASCADE"), index=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("offline_grants.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int]
    start: Mapped[float]
    end: Mapped[float]
    played_from: Mapped[datetime]
    played_to: Mapped[datetime]


class OnlineSpan(Model):
    """A closed online viewing session that earned credit: from its opening to its last accepted
    heartbeat. Offline plays may not overlap it (the member's time is spent once)."""

    __tablename__ = "online_spans"
    __table_args__ = (Index("ix_online_spans_user_time", "user_id", "opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int | None]
    opened_at: Mapped[datetime]
    last_at: Mapped[datetime]
