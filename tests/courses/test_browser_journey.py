"""In a real browser: a trainer builds and publishes a course, assigns it; a member takes it as required."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.courses.services import current_year
from tests.browser.chromium import TIMEOUT_MS, Journey

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-courses"


@pytest.fixture
def journey(browser_page: Page, live_server: str):
    # Two cores shared with the rest of the suite: give assertions the same patience as actions.
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        yield Journey(browser_page, ARTIFACTS, live_server)
    finally:
        expect.set_options(timeout=5_000)


def add_lesson(journey: Journey, title: str, markdown: str) -> None:
    page = journey.page
    page.get_by_test_id("add-lesson").first.click()
    page.locator('input[name="title"]').fill(title)
    page.locator('textarea[name="body"]').fill(markdown)
    # The live preview is rendered by the server's sanitiser as the trainer types.
    expect(page.get_by_test_id("preview").locator("h2")).to_have_text(markdown.splitlines()[0].lstrip("# "))
    expect(page.get_by_test_id("preview").locator("script")).to_have_count(0)
    journey.snap(f"lesson-editor-{title}")
    page.locator('form.lesson-form button[type="submit"]').click()
    expect(page.get_by_test_id("status")).to_be_visible()


@pytest.mark.browser
def test_trainer_publishes_and_assigns_a_course_that_a_member_then_takes(journey: Journey):
    page = journey.page
    year = current_year()

    journey.sign_in("trainer")
    journey.go("/authoring/courses/")
    form = page.get_by_test_id("new-course-form")
    form.locator('input[name="title"]').fill("学习二十大精神")
    form.locator('input[name="slug"]').fill("ershida")
    form.locator('input[name="credit_hours"]').fill("3")
    form.locator('input[name="tags"]').fill("时政, 二十大")
    journey.snap("new-course")
    form.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("status")).to_have_class(re.compile("badge-draft"))

    module_form = page.get_by_test_id("add-module-form")
    module_form.locator('input[name="title"]').fill("第一单元 报告导读")
    module_form.locator('button[type="submit"]').click()
    add_lesson(
        journey, "大会主题", "## 大会的主题\n\n高举中国特色社会主义伟大旗帜。<script>alert(1)</script>"
    )
    add_lesson(journey, "主要成就", "## 十年成就\n\n| 领域 | 成就 |\n|---|---|\n| 经济 | 稳步增长 |")
    journey.snap("course-outline")

    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("status")).to_have_class(re.compile("badge-published"))
    journey.snap("published")

    journey.go("/courses/ershida/assignments")
    page.locator('select[name="unit_id"]').select_option(label="甲党委/机关党总支")
    page.locator('input[name="due_date"]').fill(f"{year}-10-31")
    page.get_by_test_id("assign").click()
    expect(page.get_by_test_id("assignment-list")).to_contain_text("甲党委/机关党总支")
    journey.snap("assigned")
    journey.sign_out()

    journey.sign_in("member_a")  # in 第一党支部, below the general branch
    page.locator("#main-nav a[href='/courses/']").first.evaluate("link => link.click()")
    card = page.get_by_test_id("course-ershida")
    expect(card).to_have_attribute("data-required", "yes")
    expect(card.get_by_test_id("due-date")).to_contain_text(f"{year}-10-31")
    journey.snap("catalogue-required")
    card.locator("h2 a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("学习二十大精神")
    expect(page.get_by_test_id("required")).to_be_visible()
    journey.snap("course-page")
    page.get_by_role("link", name="大会主题").click()
    body = page.get_by_test_id("lesson-body")
    expect(body.locator("h2")).to_have_text("大会的主题")
    expect(body.locator("script")).to_have_count(0)
    expect(page.get_by_test_id("completed")).to_be_visible()
    journey.snap("lesson")
    page.get_by_test_id("next").click()
    expect(page.get_by_test_id("lesson-body").locator("table")).to_be_visible()
    journey.snap("next-lesson")

    journey.go("/courses/ershida/")
    expect(page.get_by_test_id("progress-count")).to_contain_text("2 / 2")
    journey.snap("progress")
    assert journey.problems == []
