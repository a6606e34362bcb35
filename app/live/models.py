"""Live lessons (直播党课): each live lesson's stream, its broadcasts, members' attendance, questions.

The schedule itself (start, planned length, speaker, description) is the lesson's (app/courses): a
live lesson is a lesson kind. This domain keeps what happens around the broadcast.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.courses.models import Lesson
from app.extensions import Model
from app.timeutil import utcnow


class LiveStream(Model):
    """A live lesson's ingest: its secret stream key and whether an encoder is publishing now."""

    __tablename__ = "live_streams"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), unique=True)
    # The secret an encoder sends with its stream name (rtmp://…/live/lesson-<id>?key=<key>).
    stream_key: Mapped[str] = mapped_column(String(64))
    key_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The real broadcast: the first publish's start and the last publish's end (None while live).
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    publishing: Mapped[bool] = mapped_column(default=False)
    # Bumped by every change a player polls for (state, questions): the poll's ETag.
    version: Mapped[int] = mapped_column(default=1)

    lesson: Mapped[Lesson] = relationship()


class LiveBroadcast(Model):
    """One publish of the stream, from on_publish to on_publish_done (an encoder that reconnects
    makes another); attendance counts only inside these intervals."""

    __tablename__ = "live_broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(40), default="")  # nginx-rtmp's client id
    address: Mapped[str] = mapped_column(String(64), default="")  # the encoder's address
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    recording: Mapped[str | None] = mapped_column(String(500))  # the FLV file nginx-rtmp recorded


class LiveAttendance(Model):
    """One member's verified watching of the live broadcast: wall-clock intervals (seconds since the
    epoch, sorted, disjoint) while their player played the live stream in a visible tab."""

    __tablename__ = "live_attendance"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", name="uq_live_attendance_user_lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    intervals: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    attended_seconds: Mapped[float] = mapped_column(default=0.0)  # inside the broadcast's intervals
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveQuestion(Model):
    """A member's question during the broadcast; the trainer answers or pins it."""

    __tablename__ = "live_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    pinned: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
