"""Builders for offline study tests: a grant, a play log (a downloadable lesson is any built video
lesson: tests.factories.courses.make_video_lesson, its video has a 360p rendition)."""

from datetime import datetime, timedelta

from app.offline import services
from tests.factories.auth import user_named


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
