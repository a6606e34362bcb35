"""Fixtures for the self-study tests; the browser journey reuses the browser tests' server and page."""

from tests.browser.conftest import browser_page, live_server  # noqa: F401
