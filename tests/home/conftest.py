"""Fixtures for the home tests; their builders are in tests/factories/home.py."""

# The phone check reuses the live server and Chromium page of the browser tests.
from tests.browser.conftest import browser_page, live_server  # noqa: F401
