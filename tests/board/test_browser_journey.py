"""In a real browser on a phone: a member starts a topic on the branch board, the secretary replies
and pins it, and the member sees both."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.chromium import Journey

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-board"


@pytest.mark.browser
@pytest.mark.slow
def test_a_member_starts_a_topic_and_the_secretary_replies_and_pins_it(world, live_server, browser_page):
    page = browser_page
    journey = Journey(page, ARTIFACTS, live_server)
    journey.sign_in("member_a")
    page.get_by_role("button", name="菜单").click()
    page.get_by_test_id("nav-board").click()
    expect(page.get_by_test_id("no-topics")).to_be_visible()
    journey.snap("empty-board")
    page.locator('input[name="title"]').fill("七一主题党日活动安排")
    page.locator('textarea[name="body"]').fill("本周五下午集中学习，请**准时**参加。")
    page.get_by_test_id("submit-topic").click()
    expect(page.get_by_test_id("topic-title")).to_have_text("七一主题党日活动安排")
    journey.snap("topic")

    journey.sign_in("sec_a")
    page.goto(f"{live_server}/board/units/{world.unit_a1}")
    page.get_by_test_id("topic").click()
    page.locator('textarea[name="body"]').fill("收到，支委会提前准备。")
    page.get_by_test_id("submit-reply").click()
    page.get_by_test_id("pin").click()
    expect(page.get_by_test_id("topic").first.get_by_test_id("pinned")).to_be_visible()
    journey.snap("secretary-pinned")

    journey.sign_in("member_a")
    page.goto(f"{live_server}/board/units/{world.unit_a1}")
    expect(page.get_by_test_id("topic").first).to_contain_text("1 条回复")
    page.get_by_test_id("topic").first.click()
    expect(page.get_by_test_id("post").nth(1)).to_contain_text("收到，支委会提前准备。")
    journey.snap("member-sees-reply")
    assert journey.problems == []
