"""In Chromium on a phone: a member finishes a short course and sees the hours and certificate at once.

The video lesson's verified evidence is recorded the way the heartbeat code will record it; the text
lessons are read and confirmed in the browser, and the last one completes the course.
"""

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.courses.models import CompletionRule, LessonKind
from app.courses.quiz_link import link_quiz
from app.progress import services
from tests.browser import chromium
from tests.browser.chromium import TIMEOUT_MS
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of, make_course
from tests.factories.progress import PNG

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-progress"


@pytest.fixture
def app_config() -> dict:
    return {"PROGRESS_TEXT_MIN_SHARE": 0.05}  # a 1-minute text lesson counts after 3 seconds


@pytest.mark.browser
def test_a_member_finishes_a_course_and_sees_hours_and_certificate_at_once(
    app,
    world,
    browser_page: Page,
    live_server: str,
):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    expect.set_options(timeout=TIMEOUT_MS)
    page, steps = browser_page, iter(range(1, 100))
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))

    def snap(name: str) -> None:
        page.screenshot(path=ARTIFACTS / f"{next(steps):02d}-{name}.png", full_page=True)

    with app.app_context():
        course = make_course(
            slug="short",
            title="党史小课",
            credit_hours="1.5",
            lessons=(
                ("clip", LessonKind.VIDEO, 5, CompletionRule.WATCHED),
                ("one", LessonKind.TEXT, 1, CompletionRule.OPENED),
                ("two", LessonKind.TEXT, 1, CompletionRule.OPENED),
                ("exam", LessonKind.QUIZ, 5, CompletionRule.PASSED),
            ),
        )
        services.record_lesson_completed(
            user_named("member_a"), lesson_of(course, "clip"), {"verified_seconds": 300}
        )
        exam = lesson_of(course, "exam")
        exam.quiz_source = "::q1::党的最高理想和最终目标是实现共产主义。{T}\n"
        link_quiz(exam, user_named("trainer"))
        one, two, exam_id = lesson_of(course, "one").id, lesson_of(course, "two").id, exam.id

    chromium.sign_in(page, live_server, "member_a")
    expect(page.get_by_test_id("hours-total")).to_have_text("0")

    for lesson_id in (one, two):
        page.goto(f"{live_server}/courses/short/lessons/{lesson_id}")
        expect(page.get_by_test_id("finish-reading")).to_be_visible()
        page.wait_for_timeout(3500)  # the server's clock decides when the reading counts
        snap(f"lesson-{lesson_id}")
        page.get_by_test_id("finish-reading").get_by_role("button").click()
        expect(page.get_by_test_id("completed")).to_be_visible()

    # The quiz lesson: passing its quiz completes it, and with it the course.
    page.goto(f"{live_server}/courses/short/lessons/{exam_id}")
    page.get_by_test_id("take-quiz").click()
    page.get_by_test_id("start").click()
    page.get_by_label("对").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit").click()
    expect(page.locator(".flash-success").last).to_contain_text("已提交")
    snap("quiz-passed")

    page.goto(f"{live_server}/courses/short/")
    expect(page.get_by_test_id("certificate")).to_contain_text("1.5")
    page.goto(f"{live_server}/progress/")
    expect(page.get_by_test_id("hours-total")).to_have_text("1.5")
    expect(page.get_by_test_id("course-short")).to_have_attribute("data-state", "done")
    certificate = page.get_by_test_id(re.compile(r"certificate-\d+"))
    expect(certificate).to_contain_text("党史小课")
    snap("my-learning")
    certificate.locator("a").nth(1).click()  # the verification link, as a person checking it would
    expect(page.get_by_test_id("valid")).to_be_visible()
    expect(page.get_by_test_id("holder")).to_have_text("甲党员")
    expect(page.get_by_test_id("hours")).to_have_text("1.5")
    snap("verified")
    page.goto(f"{live_server}/")
    expect(page.get_by_test_id("hours-total")).to_have_text("1.5")
    assert problems == []
    expect.set_options(timeout=5_000)


@pytest.mark.browser
def test_a_secretary_records_a_session_and_the_member_sees_the_hours(
    app,
    world,
    browser_page: Page,
    live_server: str,
    tmp_path,
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=TIMEOUT_MS)
    page = browser_page
    photo = tmp_path / "sign-in.png"
    photo.write_bytes(PNG)

    def sign_in(username: str) -> None:
        page.context.clear_cookies()
        chromium.sign_in(page, live_server, username)

    sign_in("sec_a")
    page.goto(f"{live_server}/progress/sessions/")
    page.get_by_test_id(f"record-{world.unit_a1}").click()
    page.locator('select[name="kind"]').select_option("three_meetings")
    page.locator('input[name="held_on"]').fill(date.today().isoformat())
    page.locator('input[name="topic"]').fill("支部党员大会：学习党章")
    page.locator('input[name="minutes"]').fill("90")
    page.get_by_label(re.compile("甲党员")).check()
    page.locator('input[name="evidence"]').set_input_files(str(photo))
    page.screenshot(path=ARTIFACTS / "session-form.png", full_page=True)
    page.get_by_test_id("save-session").click()
    expect(page.get_by_test_id("session-list")).to_contain_text("支部党员大会：学习党章")

    sign_in("member_a")
    expect(page.get_by_test_id("hours-total")).to_have_text("2")
    page.goto(f"{live_server}/progress/")
    expect(page.get_by_test_id("sessions")).to_contain_text("支部党员大会：学习党章")
    page.screenshot(path=ARTIFACTS / "member-session.png", full_page=True)
    expect.set_options(timeout=5_000)
