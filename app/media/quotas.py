"""Per-account upload quotas: files per hour, bytes per day, and videos waiting to be transcoded.

A trainer once posted 60 videos in 7 seconds, queueing 60 transcoding jobs; library uploads had no
limit either. Every file an account sends through the video or library upload page is recorded
(``UploadRecord``, kept or refused: sending it is what costs), and the next upload is refused with
429 and a message saying what to wait for when the account has sent ``UPLOAD_MAX_PER_HOUR`` files in
the last hour, or ``UPLOAD_MAX_BYTES_PER_DAY`` bytes in the last 24 hours (the incoming request's
declared length counts, so the refusal comes before the body is read), or has
``TRANSCODE_MAX_QUEUED_PER_ACCOUNT`` videos still queued or being transcoded. A setting of 0 turns
its limit off. The command line (``flask media import``, course folders) is not limited.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.exceptions import TooManyRequests

from app.auth.models import User
from app.extensions import db
from app.media.models import UploadRecord, Video, VideoStatus
from app.timeutil import utcnow


class QuotaExceeded(TooManyRequests):
    """An upload over the account's quota: answered 429 with ``detail`` (translated)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:,.0f} MB"


def check_upload(user: User, incoming_bytes: int | None, now: datetime | None = None) -> None:
    """Raise QuotaExceeded if ``user`` may not send another file of ``incoming_bytes`` now."""
    now = now or utcnow()
    per_hour = current_app.config["UPLOAD_MAX_PER_HOUR"]
    mine = select(UploadRecord).where(UploadRecord.user_id == user.id)
    if per_hour:
        sent = db.session.scalar(
            mine.where(UploadRecord.created_at > now - timedelta(hours=1)).with_only_columns(
                func.count(UploadRecord.id)
            )
        )
        if sent >= per_hour:
            raise QuotaExceeded(
                _(
                    "You have uploaded %(count)s files in the last hour, the most allowed. "
                    "Please wait a while and upload the rest later.",
                    count=sent,
                )
            )
    per_day = current_app.config["UPLOAD_MAX_BYTES_PER_DAY"]
    if per_day:
        used: int = db.session.execute(
            mine.where(UploadRecord.created_at > now - timedelta(days=1)).with_only_columns(
                func.coalesce(func.sum(UploadRecord.size_bytes), 0)
            )
        ).scalar_one()
        if used + (incoming_bytes or 0) > per_day:
            raise QuotaExceeded(
                _(
                    "This upload would take you past %(limit)s uploaded in 24 hours "
                    "(%(used)s so far). Please upload it tomorrow, or ask an administrator.",
                    limit=_megabytes(per_day),
                    used=_megabytes(used),
                )
            )


def check_transcode_queue(user: User) -> None:
    """Raise QuotaExceeded while ``user`` has the most videos allowed waiting to be transcoded."""
    most = current_app.config["TRANSCODE_MAX_QUEUED_PER_ACCOUNT"]
    if not most:
        return
    waiting = db.session.scalar(
        select(func.count(Video.id)).where(
            Video.uploaded_by_id == user.id, Video.status.in_((VideoStatus.QUEUED, VideoStatus.PROCESSING))
        )
    )
    if waiting >= most:
        raise QuotaExceeded(
            _(
                "%(count)s of your videos are still waiting to be transcoded, the most allowed. "
                "Please upload more once they are ready.",
                count=waiting,
            )
        )


def record_upload(user: User, kind: str, size_bytes: int, now: datetime | None = None) -> None:
    """Count a file ``user`` sent (in its own transaction, whatever becomes of the file)."""
    db.session.add(
        UploadRecord(user_id=user.id, kind=kind, size_bytes=size_bytes, created_at=now or utcnow())
    )
    db.session.commit()
