"""Fixtures for the progress tests; their builders are in tests/factories/progress.py."""

import pytest

# The browser journey reuses the live server and Chromium page of the browser tests.
from tests.browser.conftest import browser_page, live_server  # noqa: F401


@pytest.fixture
def app_config() -> dict:
    """Text lessons need half their estimated minutes by default; keep it explicit here."""
    return {"PROGRESS_TEXT_MIN_SHARE": 0.5}
