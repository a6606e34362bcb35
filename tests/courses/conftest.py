"""Fixtures for the courses tests; their builders are in tests/factories/courses.py."""

from pathlib import Path

import pytest

from tests.factories.courses import write_course_folder


@pytest.fixture
def app_config() -> dict:
    """Text lessons count as read on opening here; tests/progress covers the minimum reading time."""
    return {"PROGRESS_TEXT_MIN_SHARE": 0}


@pytest.fixture
def course_folder(app) -> Path:
    """A course folder inside the test's COURSES_DIR."""
    return write_course_folder(Path(app.config["COURSES_DIR"]))
