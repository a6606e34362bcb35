"""Builders for offline study tests: a downloadable video lesson, a grant, a play log."""

from datetime import datetime, timedelta

from app.extensions import db
from app.media.models import Rendition
from app.offline import services
from tests.factories.auth import user_named
from tests.factories.progress import make_video_lesson


def make_downloadable_lesson(slug: str = "offline-course", duration: float = 100.0):
    """A published course whose one video lesson has a ready video with a 360p rendition."""
    lesson = make_video_lesson(slug, duration=duration)
    lesson.video.renditions.append(
        Rendition(height=360, width=640, size_bytes=1000, path=f"videos/{slug}/360p.mp4")
    )
    db.session.commit()
    return lesson


def grant(lesson, member: str = "member_a", at: datetime | None = None) -> str:
    """The signed grant string of a download of ``lesson`` by ``member`` at ``at``."""
    _row, token = services.grant_download(user_named(member), lesson.id, now=at)
    return token


def iso(at: datetime) -> str:
    return at.isoformat() + "Z"


def play(start: float, end: float, begun: datetime, seconds: float | None = None) -> dict:
    """A play of media [start, end] that began at ``begun`` and lasted ``seconds`` (its length at 1×)."""
    wall = end - start if seconds is None else seconds
    return {
        "start": start,
        "end": end,
        "played_from": iso(begun),
        "played_to": iso(begun + timedelta(seconds=wall)),
    }


def log(token: str, plays: list[dict], log_id: str = "log-1") -> dict:
    return {"grant": token, "log_id": log_id, "plays": plays}
