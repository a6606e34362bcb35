"""Uploaded videos, stored by content hash, the renditions their transcoding job produced, and subtitles."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, str_enum
from app.timeutil import utcnow

if TYPE_CHECKING:
    from app.auth.models import User


class VideoStatus(enum.StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class Video(Model):
    """One uploaded file (the same bytes uploaded twice are one Video) and its transcoding job's state."""

    __tablename__ = "videos"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_filename: Mapped[str] = mapped_column(String(255))
    # Paths are relative to MEDIA_ROOT: videos/<sha[:2]>/<sha>/...
    source_path: Mapped[str] = mapped_column(String(300))
    source_format: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[VideoStatus] = mapped_column(str_enum(VideoStatus), default=VideoStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent of the transcoding job, 0-100
    error: Mapped[str | None] = mapped_column(String(40))  # a failure code; see services.failure_reason
    error_detail: Mapped[str | None] = mapped_column(String(500))  # ffmpeg's own words, for the log
    duration: Mapped[float | None]  # seconds
    width: Mapped[int | None]
    height: Mapped[int | None]
    poster_path: Mapped[str | None] = mapped_column(String(300))
    # The job record: each (re)queue issues a new token, and only the run holding it may write results.
    job_token: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped["User | None"] = relationship()
    renditions: Mapped[list["Rendition"]] = relationship(
        back_populates="video", cascade="all, delete-orphan", order_by="Rendition.height.desc()"
    )
    subtitles: Mapped[list["Subtitle"]] = relationship(
        back_populates="video", cascade="all, delete-orphan", order_by="Subtitle.id"
    )

    def rendition(self, height: int) -> "Rendition | None":
        return next((rendition for rendition in self.renditions if rendition.height == height), None)

    def __repr__(self) -> str:
        return f"<Video {self.id} {self.sha256[:12]} {self.status.value}>"


class Rendition(Model):
    """An H.264/AAC MP4 (+faststart) of a video at one height: 720p, 360p, never above the source."""

    __tablename__ = "video_renditions"
    __table_args__ = (UniqueConstraint("video_id", "height", name="uq_video_renditions_video_height"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    height: Mapped[int]
    width: Mapped[int]
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    path: Mapped[str] = mapped_column(String(300))  # relative to MEDIA_ROOT

    video: Mapped[Video] = relationship(back_populates="renditions")

    @property
    def label(self) -> str:
        return f"{self.height}p"


class Subtitle(Model):
    """A WebVTT file a trainer attached to a video, one per language, with its cue text kept for search."""

    __tablename__ = "video_subtitles"
    __table_args__ = (UniqueConstraint("video_id", "language", name="uq_video_subtitles_video_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(20))  # a BCP 47 tag, as <track srclang> takes it
    label: Mapped[str] = mapped_column(String(50))  # shown in the player's captions menu
    path: Mapped[str] = mapped_column(String(300))  # relative to MEDIA_ROOT
    size_bytes: Mapped[int]
    cue_text: Mapped[str] = mapped_column(Text)  # the words of every cue, timings and tags stripped
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    video: Mapped[Video] = relationship(back_populates="subtitles")
    uploaded_by: Mapped["User | None"] = relationship()


class UploadRecord(Model):
    """One file an account sent through an upload page (video or library; kept or refused), for the
    per-account upload quotas (app/media/quotas.py)."""

    __tablename__ = "upload_records"
    __table_args__ = (Index("ix_upload_records_user_time", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "video" or "library"
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Image(Model):
    """An uploaded picture, checked by content and re-encoded without its metadata (app/media/images.py);
    stored once per content hash of the re-encoded file."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(300))  # relative to MEDIA_ROOT
    mime_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
