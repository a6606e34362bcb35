"""One real broadcast end to end: nginx-rtmp ingests ffmpeg's stream, nginx serves signed HLS, Chromium
plays it through hls.js, a member's heartbeats earn attendance, and the recording becomes the replay."""

import time
from datetime import timedelta
from urllib.request import urlopen

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.live import attendance, services, streaming
from app.live.models import LiveStream
from app.media.models import VideoStatus
from app.progress.watching.heartbeats import open_session
from app.timeutil import utcnow
from devtools.nginx_rtmp import push
from tests.browser.chromium import TIMEOUT_MS, sign_in, wait_until
from tests.factories.auth import user_named
from tests.factories.live import make_live_lesson, stream_key

BROADCAST_SECONDS = 40


def status_of(url: str) -> int:
    try:
        with urlopen(url, timeout=5) as response:
            response.read()
            return response.status
    except OSError as error:
        return getattr(error, "code", 0)


@pytest.mark.browser
@pytest.mark.slow
def test_a_live_broadcast_from_encoder_to_player_attendance_and_replay(
    app, world, live_server, streaming_server, browser_page: Page
):
    expect.set_options(timeout=TIMEOUT_MS)
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    with app.app_context():
        lesson = make_live_lesson(utcnow())
        lesson_id, key = lesson.id, stream_key(lesson)
        member_id = user_named("member_a").id
    name = streaming.stream_name(lesson_id)

    # A wrong key is refused by the app, so nginx drops the encoder and writes nothing.
    wrong = push(streaming_server.rtmp_url(f"{name}?key=not-the-key"), 5)
    wrong.communicate(timeout=20)
    assert wrong.returncode != 0
    with app.app_context():
        assert not streaming.playlist_path(lesson_id).exists()
        assert services.live_view(services.live_lesson(lesson_id)).state == services.SCHEDULED

    sign_in(page, live_server, "member_a")
    page.goto(f"{live_server}/live/lessons/{lesson_id}")
    expect(page.locator("[data-live]")).to_have_attribute("data-state", "scheduled")
    expect(page.get_by_test_id("countdown")).to_be_visible()

    encoder = push(streaming_server.rtmp_url(f"{name}?key={key}"), BROADCAST_SECONDS)
    try:
        with app.app_context():
            wait_until(lambda: streaming.playlist_path(lesson_id).exists(), "no playlist from nginx", 20)
            stream = db.session.scalar(select(LiveStream).where(LiveStream.lesson_id == lesson_id))
            started = stream.started_at
            assert stream.publishing
            # Another member watches the first 24 s of the 40 s broadcast (heartbeats every 4 s).
            watcher = user_named("member_a2")
            session = open_session(watcher, services.live_lesson(lesson_id), started)
            signed = streaming.playlist_url(lesson_id, member_id)
            expired = streaming.playlist_url(lesson_id, member_id, utcnow() - timedelta(hours=1))
        folder = signed.rsplit("/", 1)[0]
        assert status_of(signed) == 200
        assert status_of(f"{streaming_server.hls_url}/{name}/index.m3u8") == 403  # unsigned
        assert status_of(expired) == 403
        assert status_of(signed.replace(f"/{member_id}/", f"/{member_id + 1}/")) == 403  # altered

        # Chromium leaves the countdown by itself and plays the live edge through hls.js.
        expect(page.locator("[data-live]")).to_have_attribute("data-state", "live", timeout=15_000)
        wait_until(
            lambda: page.evaluate("document.querySelector('video').currentTime") > 1, "not playing", 20
        )
        played = page.evaluate("document.querySelector('video').currentTime")

        sequence = 0
        with app.app_context():
            watcher = user_named("member_a2")
            while (utcnow() - started).total_seconds() < 24:
                time.sleep(max(0.0, 4 * (sequence + 1) - (utcnow() - started).total_seconds()))
                sequence += 1
                payload = {"seconds": 4, "session": session, "sequence": sequence}
                attendance.heartbeat(watcher, lesson_id, payload)
        assert page.evaluate("document.querySelector('video').currentTime") > played + 5
        # A segment fetched on the signed folder is served by nginx, not by the app.
        with urlopen(signed) as response:
            segment = next(line for line in response.read().decode().splitlines() if line.endswith(".ts"))
        assert status_of(f"{folder}/{segment}") == 200
        assert status_of(f"{streaming_server.hls_url}/{name}/{segment}") == 403
        _, errors = encoder.communicate(timeout=BROADCAST_SECONDS + 20)
        assert encoder.returncode == 0, errors
    finally:
        if encoder.poll() is None:
            encoder.kill()
            encoder.communicate()

    # The page notices the end by itself (when the replay is ready by its next poll, as the job can
    # be on a quick machine, it goes straight on to the replay); nginx's on_publish_done settled the
    # attendance.
    ended = page.locator('[data-live][data-state="ended"]').or_(page.get_by_test_id("replay"))
    expect(ended.first).to_be_visible(timeout=15_000)
    with app.app_context():
        lesson = services.live_lesson(lesson_id)
        figures = attendance.figures(user_named("member_a2"), lesson)
        assert figures.broadcast_seconds == pytest.approx(BROADCAST_SECONDS, abs=3)
        assert figures.share == pytest.approx(0.6, abs=0.06)
        assert not figures.completed  # 60% is below the 80% rule
        assert attendance.figures(user_named("member_a"), lesson).attended_seconds > 10  # Chromium's

    # The recording becomes a replay video (transcoded by the media job), and the page shows it.
    def replay_ready() -> bool:
        with app.app_context():
            lesson = services.live_lesson(lesson_id)
            return lesson.video is not None and lesson.video.status is VideoStatus.READY

    wait_until(replay_ready, "the recording did not become a replay", 90)
    with app.app_context():
        assert services.live_lesson(lesson_id).video.duration == pytest.approx(BROADCAST_SECONDS, abs=3)
    expect(page.get_by_test_id("replay")).to_be_visible(timeout=15_000)
    assert not problems, problems
