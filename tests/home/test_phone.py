"""In Chromium at a phone's width (390 px): the member's home fits the screen, every block in view."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.discussions import services as discussions
from tests.browser.chromium import TIMEOUT_MS, sign_in
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of
from tests.factories.home import studying_member

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "home-phone"
BLOCKS = ("continue", "required-courses", "waiting-quizzes", "unread-notices", "home-replies", "study-card")


def horizontal_overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.browser
def test_the_home_fits_a_phone_for_a_studying_and_a_new_member(
    app, world, browser_page: Page, live_server: str
):
    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    with app.app_context():
        made = studying_member()
        # An unbreakable run of Latin characters must wrap, not widen the page.
        question = discussions.create_post(
            user_named("member_a"), lesson_of(made["course"], "intro"), "链接？", is_question=True
        )
        discussions.reply_to(user_named("trainer"), question, "https://example.org/" + "a" * 80)

    sign_in(page, live_server, "member_a")
    for testid in BLOCKS:
        expect(page.get_by_test_id(testid)).to_be_visible()
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=ARTIFACTS / "01-studying-member.png", full_page=True)
    page.get_by_test_id("continue-link").click()
    expect(page.get_by_test_id("video")).to_be_visible()  # the video lesson the member stopped in

    page.context.clear_cookies()
    sign_in(page, live_server, "member_b")  # 乙党委: nothing assigned, nothing studied
    expect(page.get_by_test_id("getting-started")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=ARTIFACTS / "02-new-member.png", full_page=True)
    page.get_by_test_id("start-catalogue").click()
    expect(page).to_have_url(f"{live_server}/courses/")
    assert problems == []
