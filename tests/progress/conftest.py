"""Fixtures for the progress tests; their builders are in tests/factories/progress.py."""

import pytest


@pytest.fixture
def app_config() -> dict:
    """Text lessons need half their estimated minutes by default; keep it explicit here."""
    return {"PROGRESS_TEXT_MIN_SHARE": 0.5}
