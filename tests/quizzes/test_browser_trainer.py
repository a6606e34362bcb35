"""A trainer imports a GIFT file, reads the report and builds a quiz, in Chromium on a phone."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.chromium import sign_in

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-question-bank"
DOCUMENTED = Path(__file__).parent / "data" / "moodle_documented.gift"


@pytest.mark.browser
def test_trainer_imports_gift_sees_the_report_and_publishes_a_quiz(live_server, browser_page: Page, tmp_path):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    step = iter(range(1, 100))
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def snap(name: str) -> None:
        page.screenshot(path=ARTIFACTS / f"{next(step):02d}-{name}.png", full_page=True)

    sign_in(page, live_server, "trainer")
    page.locator(".nav-toggle").click()
    page.locator('#main-nav a[href="/quizzes/banks"]').click()
    page.locator('input[name="name"]').fill("党章党史题库")
    page.locator("form.actions button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/quizzes/banks/\d+$"))

    broken = tmp_path / "questions.gift"
    broken.write_text(
        DOCUMENTED.read_text(encoding="utf-8") + "\n::坏题::缺右括号{=对 ~错\n", encoding="utf-8"
    )
    page.locator('input[type="file"]').set_input_files(str(broken))
    page.locator('form[enctype="multipart/form-data"] button[type=submit]').click()
    report = page.get_by_test_id("import-report")
    expect(report.get_by_test_id("report-line")).to_have_text(
        str(len(DOCUMENTED.read_text().splitlines()) + 2)
    )
    expect(page.get_by_test_id("questions").locator("tbody tr")).to_have_count(17)
    snap("bank-import-report")

    page.goto(f"{live_server}/quizzes/manage")
    page.locator('input[name="title"]').fill("党章知识测验")
    page.locator('input[name="time_limit_minutes"]').fill("20")
    page.locator("form.quiz-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/quizzes/manage/\d+$"))
    picker = page.locator('select[name="question_ids"]')
    labels = [
        text
        for text in picker.locator("option").all_inner_texts()
        if re.search("单选|判断 T|数值 误差", text)
    ]
    picker.select_option(label=labels)
    page.locator('form[action$="/questions"] button[type=submit]').click()
    expect(page.get_by_test_id("quiz-questions").locator("li")).to_have_count(3)
    page.locator('input[name="published"]').check()
    page.locator("form.quiz-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator('input[name="published"]')).to_be_checked()
    snap("quiz-settings")
    assert problems == []
