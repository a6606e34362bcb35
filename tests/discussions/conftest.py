"""Fixtures for the discussions tests; their builders are in tests/factories/discussions.py."""

from types import SimpleNamespace

import pytest

from tests.factories.courses import make_course
from tests.factories.discussions import LESSONS, POST_LIMIT, first_lesson


@pytest.fixture
def app_config() -> dict:
    """A low posting limit, so the rate-limit test stays quick; text lessons count as read on opening."""
    return {"DISCUSSION_POST_RATE_LIMIT": f"{POST_LIMIT} per minute", "PROGRESS_TEXT_MIN_SHARE": 0}


@pytest.fixture
def course_world(app, world) -> SimpleNamespace:
    """The ``world`` accounts, a published course owned by ``trainer`` and a draft one."""
    with app.app_context():
        course = make_course(lessons=LESSONS)
        draft = make_course("draft-course", published=False, lessons=LESSONS)
        lesson = first_lesson(course)
        return SimpleNamespace(
            **vars(world),
            course_slug=course.slug,
            lesson=lesson.id,
            lesson_url=f"/courses/{course.slug}/lessons/{lesson.id}",
            draft_lesson=first_lesson(draft).id,
            draft_url=f"/courses/{draft.slug}/lessons/{first_lesson(draft).id}",
        )
