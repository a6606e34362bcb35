"""In Chromium: reading time counts while the member is active on the reading page, and stops when idle."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.progress.models import ReadingProgress
from tests.browser.chromium import TIMEOUT_MS, sign_in, wait_until
from tests.factories.auth import user_named
from tests.progress.test_reading_time import make_reading_lesson

IDLE_SECONDS = 3


@pytest.fixture
def app_config() -> dict:
    return {"PROGRESS_READING_IDLE_SECONDS": IDLE_SECONDS}


@pytest.mark.browser
@pytest.mark.slow
def test_reading_time_counts_while_active_and_pauses_when_idle(
    app, world, browser_page: Page, live_server: str
):
    expect.set_options(timeout=TIMEOUT_MS)
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    with app.app_context():
        lesson = make_reading_lesson(minutes=30)
        lesson_url = f"{live_server}/courses/{lesson.course.slug}/lessons/{lesson.id}"
        lesson_id, member_id = lesson.id, user_named("member_a").id

    def verified() -> float:
        with app.app_context():
            row = db.session.scalar(
                select(ReadingProgress).where(
                    ReadingProgress.user_id == member_id, ReadingProgress.lesson_id == lesson_id
                )
            )
            return row.verified_seconds if row else 0.0

    sign_in(page, live_server, "member_a")
    page.goto(lesson_url)
    page.click("[data-testid=reading-link]")
    expect(page.locator("[data-testid=reading-timer]")).to_be_visible()
    expect(page.locator("[data-testid=reading-status]")).to_have_text("正在计算阅读时间")

    # An active reader: the pointer moves every half second; after ten seconds a report is credited.
    for step in range(26):
        page.mouse.move(100 + step % 2 * 50, 200)
        page.wait_for_timeout(500)
    wait_until(lambda: verified() >= 9, "active reading was not credited")
    credited = verified()
    assert credited <= 14  # never more than the time really spent

    # An idle reader: counting stops after the idle limit, and the page says so.
    expect(page.locator("[data-testid=reading-status]")).to_have_text(
        "已暂停：页面不在前台或您长时间未操作", timeout=(IDLE_SECONDS + 3) * 1000
    )
    page.wait_for_timeout(12000)
    assert verified() == credited
    assert problems == []
