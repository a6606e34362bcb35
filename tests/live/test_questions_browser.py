"""In Chromium: during a broadcast a member asks on the live page; the trainer's answer appears by itself."""

import pytest
from playwright.sync_api import Page, expect

from app.live import questions, services
from app.timeutil import utcnow
from tests.browser.chromium import TIMEOUT_MS, sign_in
from tests.factories.auth import user_named
from tests.factories.live import make_live_lesson, stream_key


@pytest.mark.browser
@pytest.mark.slow
def test_a_member_asks_and_sees_the_trainers_answer_without_reloading(
    app, world, live_server, browser_page: Page
):
    expect.set_options(timeout=TIMEOUT_MS)
    page = browser_page
    with app.app_context():
        lesson = make_live_lesson(utcnow())
        lesson_id = lesson.id
        services.authorize_publish(f"lesson-{lesson_id}", stream_key(lesson), "127.0.0.1", "1")
    sign_in(page, live_server, "member_a")
    page.goto(f"{live_server}/live/lessons/{lesson_id}")
    expect(page.locator("[data-live]")).to_have_attribute("data-state", "live")
    page.get_by_test_id("question-body").fill("怎样把学习成果转化为工作实效？")
    page.get_by_test_id("ask").click()
    expect(page.get_by_test_id("question-list")).to_contain_text("怎样把学习成果转化为工作实效？")
    expect(page.get_by_test_id("question-list")).to_contain_text("你的问题")
    with app.app_context():
        (asked,) = questions.questions_for(user_named("trainer"), services.live_lesson(lesson_id), host=True)
        questions.answer(
            user_named("trainer"), services.live_lesson(lesson_id), asked["id"], "从解决实际问题入手。"
        )
    expect(page.get_by_test_id("question-list")).to_contain_text("从解决实际问题入手。", timeout=12_000)
