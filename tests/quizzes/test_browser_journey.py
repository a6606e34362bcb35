"""A member takes a timed quiz in Chromium on a phone: autosave survives a reload, submit, review."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.chromium import sign_in
from tests.factories.quizzes import make_quiz

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-quiz"


@pytest.mark.browser
def test_member_takes_a_timed_quiz_and_autosave_survives_a_reload(app, live_server, browser_page: Page):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    step = iter(range(1, 100))

    def snap(name: str) -> None:
        page.screenshot(path=ARTIFACTS / f"{next(step):02d}-{name}.png", full_page=True)

    with app.app_context():
        quiz_id = make_quiz(time_limit_minutes=15, pass_mark=60).id
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None
        ),
    )
    page.on("dialog", lambda dialog: dialog.accept())

    sign_in(page, live_server, "member_a")

    page.goto(f"{live_server}/quizzes/{quiz_id}")
    snap("quiz-intro")
    page.get_by_test_id("start").click()
    countdown = page.get_by_test_id("countdown")
    expect(countdown).to_have_text(re.compile(r"^1[345]:\d\d$"))
    minutes = int(countdown.inner_text().split(":")[0])
    assert 13 <= minutes <= 15

    # Answer two questions; each change is saved to the server on its own.
    with page.expect_response(lambda r: "/answers" in r.url and r.request.method == "POST") as saved:
        page.get_by_label("实现共产主义").check()
    assert saved.value.ok
    with page.expect_response(lambda r: "/answers" in r.url and r.request.method == "POST") as saved:
        page.locator("input.answer-input").fill("一九二一")
    assert saved.value.ok
    snap("answered")

    # Closing the page (here: reloading it) loses nothing: the server kept the answers.
    page.reload()
    expect(page.get_by_label("实现共产主义")).to_be_checked()
    expect(page.locator("input.answer-input")).to_have_value("一九二一")
    with page.expect_response(lambda r: "/answers" in r.url and r.request.method == "POST"):
        page.get_by_label("政治纪律").check()
    page.get_by_label("组织纪律").check()
    snap("resumed")

    # The session ends mid-exam (cookies gone): the page keeps the answer and says how to continue.
    page.wait_for_timeout(2000)  # let the last autosave land
    page.context.clear_cookies()
    with page.expect_response(lambda r: "/answers" in r.url) as refused:
        page.get_by_label("饮食纪律").check()
    assert refused.value.status in (400, 401)  # the CSRF token or the session has gone
    expect(page.get_by_test_id("save-problem")).to_be_visible()
    snap("signed-out-mid-exam")
    other = page.context.new_page()
    sign_in(other, live_server, "member_a")
    other.close()
    with page.expect_response(lambda r: "/answers" in r.url and r.request.method == "POST") as saved:
        page.reload()
    assert saved.value.ok
    expect(page.get_by_label("饮食纪律")).to_be_checked()
    expect(page.get_by_test_id("save-problem")).to_be_hidden()
    page.get_by_label("饮食纪律").uncheck()
    page.wait_for_timeout(2000)

    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/\d+/review$"))
    expect(page.get_by_test_id("score")).to_have_text("3.0 / 3.0")
    expect(page.get_by_test_id("passed")).to_have_attribute("data-passed", "true")
    snap("review")
    assert problems == []
