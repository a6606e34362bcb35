"""In a real browser: a member asks on a lesson, a trainer answers and accepts; a notice's read count moves."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.chromium import Journey

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.mark.browser
@pytest.mark.slow
def test_a_question_is_asked_answered_accepted_and_the_member_sees_the_reply(
    course_world, live_server, browser_page
):
    journey = Journey(browser_page, ARTIFACTS / "journey-discussions", live_server)
    page = browser_page

    journey.sign_in("member_a")
    journey.go(course_world.lesson_url)
    form = page.get_by_test_id("new-post")
    form.locator("textarea").fill("入党誓词一共**多少字**？")
    form.locator('input[name="is_question"]').check()
    journey.snap("member-asks")
    page.get_by_test_id("submit-post").click()
    question = page.get_by_test_id("post").first
    expect(question.get_by_test_id("question-badge")).to_be_visible()
    expect(question.locator("strong", has_text="多少字")).to_be_visible()
    journey.snap("question-posted")

    journey.sign_in("trainer")
    journey.go("/discussions/questions")
    expect(page.get_by_test_id("open-question")).to_have_count(1)
    journey.snap("trainer-overview")
    page.get_by_test_id("open-question").click()
    page.get_by_test_id("reply-link").first.click()
    page.locator("textarea").fill("入党誓词共**八十字**。")
    page.get_by_test_id("submit-reply").click()
    expect(page.get_by_test_id("accept")).to_be_visible()
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("accepted")).to_be_visible()
    journey.snap("trainer-accepted")
    journey.go("/discussions/questions")
    expect(page.get_by_test_id("no-questions")).to_be_visible()

    journey.sign_in("member_a")
    journey.go(course_world.lesson_url)
    unread = page.get_by_test_id("nav-unread-replies")
    if not unread.is_visible():
        page.locator(".nav-toggle").click()
    expect(unread).to_contain_text("1")
    journey.snap("member-sees-unread")
    unread.click()
    expect(page.get_by_test_id("reply")).to_contain_text("八十字")
    journey.snap("member-reads-reply")
    page.get_by_test_id("reply").locator("a").click()
    expect(page).to_have_url(re.compile(r"#post-\d+$"))
    expect(page.get_by_test_id("accepted")).to_be_visible()
    assert journey.problems == []


@pytest.mark.browser
@pytest.mark.slow
def test_a_secretary_sends_a_notice_and_sees_the_read_count_change(course_world, live_server, browser_page):
    journey = Journey(browser_page, ARTIFACTS / "journey-notices", live_server)
    page = browser_page

    journey.sign_in("sec_a")
    journey.go("/notices/new")
    page.locator('input[name="title"]').fill("关于召开专题组织生活会的通知")
    page.locator('textarea[name="body"]').fill("请全体党员**本周五**前完成学习。")
    page.locator('input[name="requires_ack"]').check()
    journey.snap("secretary-writes")
    page.get_by_test_id("submit-notice").click()
    expect(page.get_by_test_id("total-read")).to_have_text("0")
    journey.snap("receipts-before")
    receipts_url = page.url

    journey.sign_in("member_a")
    journey.go("/notices/")
    expect(page.get_by_test_id("unread")).to_have_count(1)
    journey.snap("member-inbox")
    page.get_by_test_id("notice").first.click()
    expect(page.get_by_test_id("notice-title")).to_have_text("关于召开专题组织生活会的通知")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("acknowledged")).to_be_visible()
    journey.snap("member-acknowledged")

    journey.sign_in("sec_a")
    page.goto(receipts_url)
    expect(page.get_by_test_id("total-read")).to_have_text("1")
    expect(page.get_by_test_id("total-acknowledged")).to_have_text("1")
    expect(page.get_by_test_id("pending-member")).to_have_count(1)  # sec_a has not acknowledged yet
    journey.snap("receipts-after")
    assert journey.problems == []
