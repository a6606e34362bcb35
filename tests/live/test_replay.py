"""The replay of a live lesson whose encoder reconnected: nginx records one file per publish, and the
replay is all of them in broadcast order (real ffmpeg on generated FLV recordings, no nginx needed)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.live import services, streaming
from app.live.models import LiveBroadcast
from app.media import storage
from app.media.models import VideoStatus
from app.timeutil import utcnow
from devtools.clips import make_clip
from tests.factories.live import broadcast, make_live_lesson


def recording(name: str, width: int, height: int, seconds: float):
    """A recording as nginx-rtmp leaves it: an FLV file in the recordings folder."""
    folder = streaming.recordings_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return make_clip(folder / f"{name}.flv", width, height, seconds)


def replay_of(lesson_id: int):
    lesson = services.live_lesson(lesson_id)
    db.session.refresh(lesson)
    return lesson.video


def two_broadcasts():
    start = utcnow() - timedelta(minutes=5)
    lesson = make_live_lesson(start)
    broadcast(lesson, start, 60)
    broadcast(lesson, start + timedelta(seconds=90), 60)  # the encoder reconnected
    return lesson.id


@pytest.mark.slow
def test_a_reconnected_encoders_recordings_make_one_replay_in_broadcast_order(app, world):
    with app.app_context():
        lesson_id = two_broadcasts()
        first, second = recording("lesson-part1", 640, 360, 3.0), recording("lesson-part2", 640, 360, 2.0)

        services.make_replay(lesson_id, str(first))
        replay = replay_of(lesson_id)
        assert replay.status is VideoStatus.READY
        assert replay.duration == pytest.approx(3.0, abs=0.3)
        assert not first.exists()  # the library keeps its own copy

        services.make_replay(lesson_id, str(second))
        joined = replay_of(lesson_id)
        assert joined.id != replay.id
        assert joined.status is VideoStatus.READY
        assert joined.duration == pytest.approx(5.0, abs=0.4)  # both parts, not the last one alone
        assert joined.height == 360
        assert not second.exists()
        names = db.session.scalars(
            select(LiveBroadcast.recording)
            .where(LiveBroadcast.lesson_id == lesson_id)
            .order_by(LiveBroadcast.started_at)
        ).all()
        assert names == ["lesson-part1.flv", "lesson-part2.flv"]


@pytest.mark.slow
def test_recordings_of_different_sizes_are_joined_at_the_first_ones_size(app, world):
    with app.app_context():
        lesson_id = two_broadcasts()
        services.make_replay(lesson_id, str(recording("sized-part1", 640, 360, 2.0)))
        services.make_replay(lesson_id, str(recording("sized-part2", 320, 240, 2.0)))
        joined = replay_of(lesson_id)
        assert joined.status is VideoStatus.READY
        assert joined.duration == pytest.approx(4.0, abs=0.4)
        assert (joined.width, joined.height) == (640, 360)


@pytest.mark.slow
def test_a_recording_that_cannot_be_joined_is_kept_and_the_replay_stays(app, world):
    with app.app_context():
        lesson_id = two_broadcasts()
        services.make_replay(lesson_id, str(recording("kept-part1", 640, 360, 2.0)))
        replay = replay_of(lesson_id)
        broken = streaming.recordings_dir() / "kept-part2.flv"
        broken.write_bytes(b"FLV\x01 not really a recording")

        services.make_replay(lesson_id, str(broken))

        assert replay_of(lesson_id).id == replay.id
        assert broken.exists()  # nothing lost: an administrator can still reach it
        assert storage.absolute(replay.source_path).exists()
