"""In Chromium on a phone: the lesson player's quality switch and its presence check ("还在学习吗？")."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect
from sqlalchemy import func, select

from app.config import load_config
from app.courses.models import CompletionRule, LessonKind
from app.extensions import db
from app.progress.models import HeartbeatRefusal, VideoProgress
from tests.browser.chromium import TIMEOUT_MS, Journey, wait_until
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of, make_course
from tests.factories.media import add_clip, make_clip

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-video-player"
VIDEO = "document.querySelector('video')"


def state(page: Page) -> dict:
    return page.evaluate(
        f"({{time: {VIDEO}.currentTime, paused: {VIDEO}.paused, src: {VIDEO}.currentSrc,"
        f" height: {VIDEO}.videoHeight}})"
    )


def video_lesson(app, tmp_path: Path, width: int, height: int, seconds: float) -> tuple[str, int]:
    """A published course with one video lesson of a real clip; return the lesson's path and id."""
    with app.app_context():
        video = add_clip(make_clip(tmp_path / "lesson.mp4", width, height, seconds=seconds, audio=False))
        course = make_course(
            "player", lessons=(("clip", LessonKind.VIDEO, 1, CompletionRule.WATCHED),), video=video
        )
        lesson = lesson_of(course, "clip")
        return f"/courses/player/lessons/{lesson.id}", lesson.id


def open_on_720p(
    app, tmp_path: Path, browser_page: Page, live_server: str, shots: str, seconds: float, on_request=None
):
    """Sign member_a in and open a 720p video lesson (``on_request`` sees every request from the
    start); return the journey, the quality menu once the player is on 720p, and the lesson's id."""
    expect.set_options(timeout=TIMEOUT_MS)
    path, lesson_id = video_lesson(app, tmp_path, 1280, 720, seconds=seconds)
    journey = Journey(browser_page, ARTIFACTS / shots, live_server)
    if on_request:
        journey.page.on("request", on_request)
    journey.sign_in("member_a")
    journey.page.goto(live_server + path)
    quality = journey.page.get_by_label(re.compile("^(画质|Quality)$"))  # labelled (Chinese once translated)
    expect(quality).to_be_visible()
    expect(quality.locator("option")).to_have_text(["720p", "360p"])
    wait_until(lambda: state(journey.page)["src"].endswith("/720p.mp4"), "the first source is not 720p")
    return journey, quality, lesson_id


def start_playing(page: Page) -> None:
    page.evaluate(f"{VIDEO}.muted = true")
    page.evaluate(f"{VIDEO}.play()")


@pytest.mark.browser
@pytest.mark.slow
def test_switching_to_360p_keeps_the_position_and_playing_and_reports_nothing_false(
    app, world, browser_page: Page, live_server: str, tmp_path
):
    reports: list[dict] = []

    def note(request: Request) -> None:
        if request.url.endswith("/heartbeat") and request.method == "POST":
            reports.append(json.loads(request.post_data))

    journey, quality, lesson_id = open_on_720p(
        app, tmp_path, browser_page, live_server, "quality", seconds=12, on_request=note
    )
    page = journey.page
    journey.snap("720p")

    start_playing(page)
    wait_until(lambda: state(page)["time"] >= 2, "the video does not play")
    before = state(page)["time"]
    quality.select_option("360p")
    wait_until(lambda: state(page)["src"].endswith("/360p.mp4"), "the source did not change")
    wait_until(lambda: state(page)["time"] >= before + 1, "playback did not go on after the switch")
    after = state(page)
    assert not after["paused"] and after["height"] == 360
    journey.snap("360p-playing")

    page.evaluate(f"{VIDEO}.pause()")  # the pause reports the stretch played on the new source
    paused_at = state(page)["time"]
    wait_until(lambda: reports and reports[-1]["end"] >= paused_at - 0.3, "the last stretch was not reported")
    # Nothing false across the switch: each second played is reported once (a stretch from the new
    # source's 0 up to the old position, or the jump back taken as playing, would add to the sum).
    assert all(0 <= report["start"] < report["end"] <= paused_at + 0.3 for report in reports), reports
    assert sum(report["end"] - report["start"] for report in reports) <= paused_at + 0.3, reports
    with app.app_context():
        member_id = user_named("member_a").id

        def verified() -> float:
            row = db.session.scalar(
                select(VideoProgress).where(
                    VideoProgress.user_id == member_id, VideoProgress.lesson_id == lesson_id
                )
            )
            db.session.rollback()
            return row.verified_seconds if row else 0.0

        wait_until(lambda: verified() >= paused_at - 1, "the stretches played were not credited")
        assert verified() <= paused_at + 0.3
        refused = (
            select(func.count()).select_from(HeartbeatRefusal).where(HeartbeatRefusal.user_id == member_id)
        )
        assert db.session.scalar(refused) == 0

    # The choice is remembered: the next page load starts on 360p, where the member left off.
    page.reload()
    wait_until(lambda: quality.input_value().endswith("/360p.mp4"), "the remembered choice is not shown")
    wait_until(lambda: state(page)["src"].endswith("/360p.mp4"), "the remembered quality was not used")
    wait_until(lambda: state(page)["time"] >= paused_at - 1.5, "the player did not resume")
    journey.snap("reloaded-360p")
    assert journey.problems == []


@pytest.mark.browser
@pytest.mark.slow
def test_a_single_rendition_shows_no_quality_switch(
    app, world, browser_page: Page, live_server: str, tmp_path
):
    path, _lesson_id = video_lesson(app, tmp_path, 320, 240, seconds=2)
    journey = Journey(browser_page, ARTIFACTS / "single", live_server)
    journey.sign_in("member_a")
    journey.page.goto(live_server + path)
    expect(journey.page.locator("[data-testid=video]")).to_be_visible()
    expect(journey.page.locator("[data-testid=quality]")).to_have_count(0)
    assert journey.problems == []


@pytest.mark.browser
@pytest.mark.slow
def test_switching_quality_after_the_end_keeps_the_playhead_at_the_end(
    app, world, browser_page: Page, live_server: str, tmp_path
):
    journey, quality, _lesson_id = open_on_720p(
        app, tmp_path, browser_page, live_server, "after-the-end", seconds=3
    )
    page = journey.page
    start_playing(page)
    wait_until(lambda: page.evaluate(f"{VIDEO}.ended"), "the video did not play to its end")
    quality.select_option("360p")
    wait_until(lambda: state(page)["height"] == 360, "the 360p source did not load")
    wait_until(lambda: state(page)["time"] >= 2.5, "the playhead went back to the start")
    journey.snap("360p-at-the-end")
    assert journey.problems == []


@pytest.mark.browser
@pytest.mark.slow
def test_after_idle_playback_the_player_pauses_and_asks_until_answered(
    app, world, browser_page: Page, live_server: str, tmp_path
):
    expect.set_options(timeout=TIMEOUT_MS)
    app.config["PROGRESS_PRESENCE_MINUTES"] = 0.05  # 3 seconds of playback without a touch or a key
    path, _lesson_id = video_lesson(app, tmp_path, 320, 240, seconds=12)
    journey = Journey(browser_page, ARTIFACTS / "presence", live_server)
    page = journey.page
    reports: list[dict] = []
    page.on(
        "request",
        lambda request: request.url.endswith("/heartbeat") and reports.append(json.loads(request.post_data)),
    )
    journey.sign_in("member_a")
    page.goto(live_server + path)
    dialog = page.get_by_test_id("presence-dialog")
    expect(dialog).to_be_hidden()

    start_playing(page)  # script calls, not input events: the member seems to be away
    wait_until(lambda: state(page)["time"] >= 1, "the video does not play")
    expect(dialog).to_be_visible(timeout=6000)
    assert state(page)["paused"]
    expect(dialog).to_contain_text(re.compile("还在学习吗？|Are you still studying?"))
    answer = page.get_by_test_id("presence-continue")
    expect(answer).to_be_focused()
    journey.snap("still-studying")

    # Unanswered, nothing plays and nothing is reported: not Escape, not the video's own play.
    asked_at, reported = state(page)["time"], len(reports)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.evaluate(f"{VIDEO}.play()")
    page.wait_for_timeout(1000)
    expect(dialog).to_be_visible()
    assert state(page)["paused"] and abs(state(page)["time"] - asked_at) < 0.3
    assert len(reports) == reported

    page.keyboard.press("Enter")  # the focused button answers
    expect(dialog).to_be_hidden()
    wait_until(lambda: state(page)["time"] >= asked_at + 1, "playback did not resume after the answer")
    assert not state(page)["paused"]
    journey.snap("continued")
    assert journey.problems == []


@pytest.mark.parametrize(("value", "minutes"), [(None, 20.0), ("0", 0.0), ("0.05", 0.05)])
def test_the_presence_minutes_come_from_the_environment(monkeypatch, tmp_path, value, minutes):
    if value is None:
        monkeypatch.delenv("PROGRESS_PRESENCE_MINUTES", raising=False)
    else:
        monkeypatch.setenv("PROGRESS_PRESENCE_MINUTES", value)
    assert load_config(tmp_path)["PROGRESS_PRESENCE_MINUTES"] == minutes


def test_the_lesson_page_tells_the_player_the_presence_minutes(app, world, client, auth):
    app.config["PROGRESS_PRESENCE_MINUTES"] = 0.5
    with app.app_context():
        course = make_course("player", lessons=(("clip", LessonKind.VIDEO, 1, CompletionRule.WATCHED),))
        lesson = lesson_of(course, "clip")
        path = f"/courses/player/lessons/{lesson.id}"
    auth.login("member_a")
    page = client.get(path).get_data(as_text=True)
    assert 'data-presence-minutes="0.5"' in page
    assert 'data-testid="presence-dialog"' in page and 'data-testid="quality"' not in page  # one rendition
