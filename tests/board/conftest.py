"""Fixtures for the board tests; their builders are in tests/factories/board.py."""

# The browser journey reuses the live server and Chromium page of the browser tests.
from tests.browser.conftest import browser_page, live_server  # noqa: F401
