"""Live lessons: the stream key, nginx's callbacks (publish, publish done, record done), the state a
player shows, and the replay.

Each public function here is one event and commits once; the callbacks are nginx's, the rest the
trainer's or a page's.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.auth.models import User
from app.courses.models import Lesson, LessonKind
from app.errors import DomainError
from app.extensions import db, insert_unless_taken
from app.live import attendance, streaming
from app.live.models import LiveBroadcast, LiveStream
from app.media.models import Video, VideoStatus
from app.media.services import MediaError, import_joined_video, import_video_file
from app.timeutil import utcnow

log = logging.getLogger(__name__)

SCHEDULED, LIVE, ENDED = "scheduled", "live", "ended"


class LiveError(DomainError):
    pass


class PublishRefused(Exception):
    """nginx is told to refuse the publish; ``reason`` goes to the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def live_lesson(lesson_id: int) -> Lesson | None:
    """A current live lesson by id, else None."""
    if not 0 < lesson_id < 2**31:
        return None
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.kind is not LessonKind.LIVE or lesson.removed_at is not None:
        return None
    return lesson


def stream_of(lesson: Lesson) -> LiveStream:
    """The lesson's stream row, made with a fresh key on first use (flushed, not committed)."""
    statement = select(LiveStream).where(LiveStream.lesson_id == lesson.id)
    stream = db.session.scalar(statement)
    if stream is None:
        insert_unless_taken(LiveStream, lesson_id=lesson.id, stream_key=_new_key(), key_changed_at=utcnow())
        stream = db.session.scalars(statement).one()
    return stream


def _new_key() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class EncoderSettings:
    server: str  # what OBS calls "Server"
    stream_key: str  # what OBS calls "Stream Key": the stream's name and its secret


def encoder_settings(lesson: Lesson) -> EncoderSettings:
    """What the trainer pastes into OBS or another RTMP encoder (committed: the key may be new)."""
    stream = stream_of(lesson)
    db.session.commit()
    return EncoderSettings(
        server=current_app.config["LIVE_RTMP_URL"],
        stream_key=f"{streaming.stream_name(lesson.id)}?key={stream.stream_key}",
    )


def regenerate_key(lesson: Lesson) -> None:
    """Give the lesson a new stream key: the old one no longer publishes."""
    stream = stream_of(lesson)
    stream.stream_key = _new_key()
    stream.key_changed_at = utcnow()
    db.session.commit()


# --- the schedule -----------------------------------------------------------------------------------


def publish_window(lesson: Lesson) -> tuple[datetime, datetime] | None:
    """When an encoder may publish: from LIVE_EARLY_MINUTES before the start to LIVE_LATE_MINUTES
    after the planned end; None when the lesson has no start."""
    if lesson.live_starts_at is None:
        return None
    config = current_app.config
    opens = lesson.live_starts_at - timedelta(minutes=config["LIVE_EARLY_MINUTES"])
    planned_end = lesson.live_starts_at + timedelta(minutes=lesson.estimated_minutes)
    return opens, planned_end + timedelta(minutes=config["LIVE_LATE_MINUTES"])


def state_of(stream: LiveStream | None) -> str:
    if stream is not None and stream.publishing:
        return LIVE
    if stream is not None and stream.ended_at is not None:
        return ENDED
    return SCHEDULED


def replay_ready(lesson: Lesson) -> bool:
    video = lesson.video
    return video is not None and video.status is VideoStatus.READY and bool(video.duration)


# --- nginx's callbacks ------------------------------------------------------------------------------


def _touch(stream: LiveStream) -> None:
    stream.version = (stream.version or 0) + 1


def authorize_publish(name: str, key: str, address: str, client_id: str, now: datetime | None = None) -> None:
    """on_publish: take the publish of stream ``name`` with ``key`` and record the broadcast's start,
    or raise PublishRefused (a wrong key, another lesson's key, outside the schedule)."""
    now = now or utcnow()
    lesson_id = streaming.lesson_id_of(name)
    lesson = live_lesson(lesson_id) if lesson_id else None
    if lesson is None:
        raise PublishRefused(f"no live lesson is streamed as {name!r}")
    stream = stream_of(lesson)
    if not key or not secrets.compare_digest(key.encode(), stream.stream_key.encode()):
        db.session.rollback()
        raise PublishRefused(f"wrong stream key for {name}")
    window = publish_window(lesson)
    if window is None or not window[0] <= now <= window[1]:
        db.session.rollback()
        raise PublishRefused(f"{name} published outside its scheduled window {window}")
    if stream.publishing:
        _close_broadcasts(lesson.id, now)  # an encoder that reconnects before nginx noticed the drop
    db.session.add(
        LiveBroadcast(lesson_id=lesson.id, client_id=client_id[:40], address=address[:64], started_at=now)
    )
    if stream.started_at is None:
        stream.started_at = now
    stream.publishing = True
    stream.ended_at = None
    _touch(stream)
    db.session.commit()
    log.info("live lesson %s: broadcast started from %s", lesson.id, address)


def _close_broadcasts(lesson_id: int, now: datetime) -> None:
    db.session.execute(
        update(LiveBroadcast)
        .where(LiveBroadcast.lesson_id == lesson_id, LiveBroadcast.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


def publish_done(name: str, now: datetime | None = None) -> None:
    """on_publish_done: the broadcast ended; record its end and settle the attendance it earned."""
    now = now or utcnow()
    lesson_id = streaming.lesson_id_of(name)
    lesson = live_lesson(lesson_id) if lesson_id else None
    if lesson is None:
        return
    stream = stream_of(lesson)
    _close_broadcasts(lesson.id, now)
    stream.publishing = False
    stream.ended_at = now
    _touch(stream)
    db.session.flush()
    attendance.settle(lesson, now)
    db.session.commit()
    log.info("live lesson %s: broadcast ended", lesson.id)


def recording_of(name: str, path: str) -> tuple[int, Path] | None:
    """on_record_done: the lesson and the finished recording nginx names, if it is one of a live
    lesson's in the recordings folder (the job makes the replay from it: ``make_replay``)."""
    lesson_id = streaming.lesson_id_of(name)
    recording = Path(path)
    if (
        lesson_id is None
        or live_lesson(lesson_id) is None
        or not recording.is_file()
        or not recording.resolve().is_relative_to(streaming.recordings_dir().resolve())
    ):
        log.warning("recording %s of stream %r ignored", path, name)
        return None
    return lesson_id, recording


def make_replay(lesson_id: int, path: str) -> None:
    """Make a finished recording the lesson's replay video, added to the video library and transcoded
    by the media job like an upload.

    nginx records each publish into its own file, so an encoder that reconnected leaves several: each
    later one is joined after the replay made so far, which keeps the replay the whole lecture in
    broadcast order. The recording is removed once the library holds a replay with it; a recording
    that cannot be read or joined is kept where it is (nothing lost) and the replay stays as it was.
    """
    recording = Path(path)
    for _attempt in range(3):
        lesson = live_lesson(lesson_id)
        if lesson is None or not recording.is_file():
            return
        earlier, replay_before = replay_so_far(lesson), lesson.video_id
        try:
            if earlier is None:
                video, _new = import_video_file(recording, lesson.course.owner)
            else:
                video, _new = import_joined_video(earlier, recording, lesson.course.owner)
        except MediaError as error:
            log.warning(
                "live lesson %s: recording %s kept, not made a replay: %s", lesson_id, path, error.message
            )
            return
        lesson = db.session.get(Lesson, lesson_id, populate_existing=True)
        if lesson is None:  # removed while the recording was copied
            return
        if lesson.video_id not in (replay_before, video.id):
            db.session.rollback()  # another recording's job replaced the replay meanwhile: join onto it
            continue
        lesson.video_id = video.id
        _name_recording(lesson.id, recording.name)
        _touch(stream_of(lesson))
        db.session.commit()
        recording.unlink(missing_ok=True)  # the library keeps its own copy
        return
    log.warning("live lesson %s: recording %s kept: the replay kept changing", lesson_id, path)


def replay_so_far(lesson: Lesson) -> Video | None:
    """The replay made from the lesson's earlier recordings, if any."""
    recorded = db.session.scalar(
        select(LiveBroadcast.id).where(
            LiveBroadcast.lesson_id == lesson.id, LiveBroadcast.recording.is_not(None)
        )
    )
    return lesson.video if recorded is not None else None


def _name_recording(lesson_id: int, file_name: str) -> None:
    """Note the recording on the earliest broadcast of the lesson without one (nginx records each
    publish in order)."""
    broadcast = db.session.scalar(
        select(LiveBroadcast)
        .where(LiveBroadcast.lesson_id == lesson_id, LiveBroadcast.recording.is_(None))
        .order_by(LiveBroadcast.started_at, LiveBroadcast.id)
        .limit(1)
    )
    if broadcast is not None:
        broadcast.recording = file_name


# --- what a page shows ------------------------------------------------------------------------------


@dataclass
class LiveView:
    lesson: Lesson
    state: str
    starts_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    version: int
    replay: bool


def live_view(lesson: Lesson) -> LiveView:
    stream = db.session.scalar(select(LiveStream).where(LiveStream.lesson_id == lesson.id))
    return LiveView(
        lesson=lesson,
        state=state_of(stream),
        starts_at=lesson.live_starts_at,
        started_at=stream.started_at if stream else None,
        ended_at=stream.ended_at if stream else None,
        version=stream.version if stream else 0,
        replay=replay_ready(lesson),
    )


def player_payload(lesson: Lesson, member: User, now: datetime | None = None) -> dict[str, object]:
    """What the player polls for: the state, and a freshly signed playlist link while live."""
    view = live_view(lesson)
    payload: dict[str, object] = {
        "state": view.state,
        "starts_at": _iso(view.starts_at),
        "started_at": _iso(view.started_at),
        "ended_at": _iso(view.ended_at),
        "replay": view.replay,
        "version": view.version,
    }
    if view.state == LIVE:
        payload["playlist"] = streaming.playlist_url(lesson.id, member.id, now)
    return payload


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() + "Z" if at else None


def raise_unless_live(lesson: Lesson) -> None:
    if state_of(db.session.scalar(select(LiveStream).where(LiveStream.lesson_id == lesson.id))) != LIVE:
        raise LiveError(_("The broadcast is not live."))


# --- a streaming server that went away ----------------------------------------------------------------

# A publishing stream whose playlist nginx has not rewritten for this long has lost its encoder
# without an on_publish_done (nginx was killed or restarted).
STALE_SECONDS = 120


def close_stale_broadcasts(now: datetime | None = None) -> int:
    """End the broadcasts whose playlist stopped moving, at its last change; return how many."""
    now = now or utcnow()
    closed = 0
    for stream in db.session.scalars(select(LiveStream).where(LiveStream.publishing.is_(True))).all():
        playlist = streaming.playlist_path(stream.lesson_id)
        try:
            changed = datetime.fromtimestamp(playlist.stat().st_mtime, UTC).replace(tzinfo=None)
        except OSError:
            changed = None
        last = changed or stream.started_at or now
        if (now - last).total_seconds() > STALE_SECONDS:
            publish_done(streaming.stream_name(stream.lesson_id), max(last, stream.started_at or last))
            closed += 1
    return closed
