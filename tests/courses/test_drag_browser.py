"""In Chromium: a trainer drags a lesson and a module by their handles, and the new order is saved."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.courses import authoring
from app.extensions import db
from tests.browser.chromium import TIMEOUT_MS, Journey, wait_until
from tests.factories.courses import make_course, text_lessons, user_named

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "drag-order"


@pytest.mark.browser
@pytest.mark.slow
def test_dragging_lessons_and_modules_saves_their_order(app, world, browser_page: Page, live_server: str):
    expect.set_options(timeout=TIMEOUT_MS)
    with app.app_context():
        course = make_course("drag", published=False, lessons=text_lessons(3))
        authoring.add_module(course, "第二单元", editor=user_named("trainer"))
        course_id = course.id
        lesson_ids = [lesson.id for lesson in course.modules[0].current_lessons]
        module_ids = [module.id for module in course.modules]

    def order() -> tuple[list[str], list[str]]:
        with app.app_context():
            db.session.expire_all()
            dragged = db.session.get(type(course), course_id)
            modules = sorted(dragged.modules, key=lambda module: module.position)
            first = next(module for module in modules if module.id == module_ids[0])
            lessons = sorted(first.current_lessons, key=lambda lesson: lesson.position)
            return [module.title for module in modules], [lesson.title for lesson in lessons]

    journey = Journey(browser_page, ARTIFACTS, live_server)
    page = browser_page
    journey.sign_in("trainer")
    journey.go(f"/authoring/courses/{course_id}/")

    # The third lesson, dragged by its handle onto the top half of the first, becomes the first.
    page.locator(f"#lesson-{lesson_ids[2]} [data-drag-handle]").drag_to(
        page.locator(f"#lesson-{lesson_ids[0]}"), target_position={"x": 40, "y": 2}
    )
    wait_until(lambda: order()[1] == ["课3", "课1", "课2"], "the dragged lesson order was not saved")

    # The second module, dragged onto the top of the first, comes first.
    page.locator(f"#module-{module_ids[1]} > .actions [data-drag-handle]").drag_to(
        page.locator(f"#module-{module_ids[0]}"), target_position={"x": 40, "y": 2}
    )
    wait_until(lambda: order()[0] == ["第二单元", "第一单元"], "the dragged module order was not saved")

    page.reload()
    titles = page.locator(f"#module-{module_ids[0]} .lesson-list > li > a").all_inner_texts()
    assert titles == ["课3", "课1", "课2"]
    assert journey.problems == []
