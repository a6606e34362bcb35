"""In Chromium on a phone: after `flask demo load`, a brand-new member of 第一党支部 completes the
required demo course 党章学习入门 — text, video, reading and quiz lessons — and gets its certificate."""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.auth.models import Role
from app.courses.models import Course, LessonKind
from app.demo.services import COMMITTEE
from app.extensions import db
from app.org.accounts import create_account
from app.org.services import ensure_unit_path
from tests.browser.chromium import TIMEOUT_MS, Journey, sign_in, wait_until
from tests.web import served

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-demo-course"
NEW_MEMBER, NEW_PASSWORD = "xindangyuan", "new-member-password-1"


@pytest.fixture
def app_config() -> dict:
    """Study times shortened so the journey takes seconds: the rules are the real ones."""
    return {
        "PROGRESS_TEXT_MIN_SHARE": 0.003,  # the 15-minute text lesson: about 3 s before 我已读完 counts
        "PROGRESS_READING_SHARE": 0.01,  # the 5-minute reading lesson: 3 s of verified reading
    }


@pytest.fixture
def demo_site(app, runner) -> Iterator[str]:
    """The demo site as `make run` sets it up, plus a brand-new member; yield its base URL."""
    loaded = runner.invoke(args=["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    with app.app_context():
        branch, _new = ensure_unit_path(f"{COMMITTEE}/机关党总支/第一党支部")
        create_account(NEW_MEMBER, "新党员", branch, [Role.MEMBER], password=NEW_PASSWORD)
    with served(app) as base_url:
        yield base_url


class DemoJourney(Journey):
    """The demo course's journey: it confirms every dialog ("Submit your answers?")."""

    def __init__(self, page: Page, base_url: str):
        super().__init__(page, ARTIFACTS, base_url)
        page.on("dialog", lambda dialog: dialog.accept())

    def open_lesson(self, title: str) -> None:
        self.go("/courses/dangzhang-rumen/")
        self.page.get_by_role("link", name=title).first.click()
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(title)

    def expect_completed(self) -> None:
        expect(self.page.get_by_test_id("completed")).to_be_visible()


def answer(page: Page, question: str, *choices: str) -> None:
    fieldset = page.locator("fieldset.question").filter(has_text=question)
    for choice in choices:
        fieldset.locator("label.option").filter(has_text=re.compile(rf"^\s*{re.escape(choice)}\s*$")).click()


@pytest.mark.browser
@pytest.mark.slow
def test_a_new_member_completes_the_demo_course_and_gets_its_certificate(
    app, demo_site: str, browser_page: Page
):
    expect.set_options(timeout=TIMEOUT_MS)
    journey = DemoJourney(browser_page, demo_site)
    page = journey.page
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "dangzhang-rumen"))
        course_id = course.id
        kinds = [lesson.kind for module in course.modules for lesson in module.current_lessons]
    assert kinds == [LessonKind.TEXT, LessonKind.VIDEO, LessonKind.READING, LessonKind.QUIZ]

    sign_in(page, demo_site, NEW_MEMBER, NEW_PASSWORD)

    # The course is required for the new member's committee.
    journey.go("/courses/")
    card = page.get_by_test_id("course-dangzhang-rumen")
    expect(card).to_have_attribute("data-required", "yes")
    journey.snap("catalogue")

    # Text: opening starts it; after the reading time, 我已读完 completes it.
    journey.open_lesson("党的性质和宗旨")
    expect(page.get_by_test_id("completed")).to_have_count(0)
    journey.snap("text-lesson")
    time.sleep(3.5)
    page.get_by_test_id("finish-reading").get_by_role("button").click()
    journey.expect_completed()

    # Video: the generated 4-second clip, watched to the end.
    page.get_by_test_id("next").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("视频")
    video = page.get_by_test_id("video")
    expect(video).to_be_visible()
    page.evaluate("document.querySelector('video').muted = true")
    page.evaluate("document.querySelector('video').play()")
    wait_until(
        lambda: page.evaluate("document.querySelector('video').ended"),
        "the clip did not play to its end",
        seconds=20,
    )
    journey.snap("video-watched")
    wait_until(lambda: _reloaded_completed(page), "watching the clip did not complete the lesson", seconds=20)

    # Reading: the lesson opens its document in the theory library, and the timer completes it.
    page.get_by_test_id("next").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("阅读")
    expect(page.get_by_test_id("reading-link")).to_contain_text("党员的权利和义务学习笔记")
    page.get_by_test_id("reading-link").click()
    expect(page.get_by_test_id("reading-timer")).to_be_visible()
    expect(page.get_by_role("heading", name="党员的权利和义务学习笔记").first).to_be_visible()
    for _second in range(14):  # the page counts active, visible time and reports it every 10 s
        page.mouse.move(100 + _second, 200)
        time.sleep(1)
    expect(page.get_by_test_id("reading-status")).to_have_text("阅读课已完成", timeout=15_000)
    journey.snap("reading-done")
    page.get_by_role("link", name="返回本课").click()
    journey.expect_completed()

    # Quiz: all four answers right.
    page.get_by_test_id("next").click()
    page.get_by_test_id("take-quiz").click()
    page.get_by_test_id("start").click()
    answer(page, "中华民族的", "先锋队")
    answer(page, "全心全意为人民服务", "对")
    answer(
        page,
        "必须履行的义务",
        "认真学习马克思列宁主义、毛泽东思想、邓小平理论",
        "贯彻执行党的基本路线和各项方针、政策",
    )
    page.locator("fieldset.question").filter(has_text="预备期").locator("input.answer-input").fill("1")
    journey.snap("quiz-answered")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("passed")).to_have_attribute("data-passed", "true")
    journey.snap("quiz-passed")

    # The course is complete: its hours and its certificate.
    journey.go("/courses/dangzhang-rumen/")
    expect(page.get_by_test_id("progress-count")).to_contain_text("4 / 4")
    journey.go("/progress/")
    certificate = page.get_by_test_id(f"certificate-{course_id}")
    expect(certificate).to_contain_text("党章学习入门")
    journey.snap("certificate")
    href = certificate.get_by_role("link", name="党章学习入门").get_attribute("href")
    pdf = page.request.get(f"{demo_site}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    assert journey.problems == []


def _reloaded_completed(page: Page) -> bool:
    page.reload()
    return page.get_by_test_id("completed").count() == 1
