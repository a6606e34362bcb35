"""In Chromium: a member plays a video lesson for real, resumes after a reload, cannot seek ahead, completes it."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.courses.models import CompletionRule, LessonKind
from app.extensions import db
from app.progress.models import VideoProgress
from tests.browser.chromium import TIMEOUT_MS, sign_in, wait_until
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of, make_course
from tests.factories.media import add_clip, make_clip


def current_time(page: Page) -> float:
    return page.evaluate("document.querySelector('video').currentTime")


@pytest.mark.browser
@pytest.mark.slow
def test_a_member_watches_a_video_lesson_resumes_and_cannot_skip_ahead(
    app, world, browser_page: Page, live_server: str, tmp_path
):
    expect.set_options(timeout=TIMEOUT_MS)
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    with app.app_context():
        video = add_clip(make_clip(tmp_path / "lesson.mp4", 320, 240, seconds=6, audio=False))
        course = make_course(
            "watch", lessons=(("clip", LessonKind.VIDEO, 1, CompletionRule.WATCHED),), video=video
        )
        lesson = lesson_of(course, "clip")
        url, lesson_id = f"{live_server}/courses/watch/lessons/{lesson.id}", lesson.id
        member_id = user_named("member_a").id

    def verified() -> float:
        with app.app_context():
            row = db.session.scalar(
                select(VideoProgress).where(
                    VideoProgress.user_id == member_id, VideoProgress.lesson_id == lesson_id
                )
            )
            return row.verified_seconds if row else 0.0

    sign_in(page, live_server, "member_a")

    page.goto(url)
    expect(page.locator("[data-testid=video]")).to_be_visible()
    page.evaluate("document.querySelector('video').muted = true")
    page.evaluate("document.querySelector('video').play()")
    wait_until(lambda: current_time(page) >= 2.5, "the video does not play")
    page.evaluate("document.querySelector('video').pause()")  # the pause sends the stretch played
    wait_until(lambda: verified() >= 2, "the played stretch was not credited")
    credited = verified()

    page.reload()
    page.evaluate("document.querySelector('video').muted = true")
    wait_until(lambda: current_time(page) >= 2, "the player did not resume where the member left off")
    page.evaluate("document.querySelector('video').currentTime = 5.5")  # skipping ahead is undone
    page.wait_for_timeout(300)
    assert current_time(page) <= credited + 0.6

    page.evaluate("document.querySelector('video').play()")
    wait_until(lambda: page.evaluate("document.querySelector('video').ended"), "the video did not end")
    wait_until(lambda: verified() >= 5.4, "watching to the end was not credited")
    wait_until(
        lambda: float(page.get_attribute("[data-testid=watch-coverage]", "value")) >= 0.9,
        "the page does not show the verified coverage",
    )
    page.reload()
    expect(page.locator("[data-testid=completed]")).to_be_visible()
    assert problems == []
