"""A live server on a free port and a phone-sized Chromium page, for the browser journeys.

Chromium is Debian's (``/usr/bin/chromium``, installed by the Makefile), driven through Playwright's
Python package; nothing is downloaded at test time.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT, TIMEOUT_MS


def buffered(app):
    """The app with each response body read whole (and its file closed) before it is sent.

    werkzeug's development server skips the response's close() when the browser has gone before the
    end (a video player cancelling a range request does), so an open media file would be left to the
    garbage collector, which pytest's warning filter turns into an error. gunicorn closes it.
    """

    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@contextmanager
def served(app) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def live_server(app, world) -> Iterator[str]:
    """Serve the test app (with the ``world`` accounts) on 127.0.0.1 and yield its base URL."""
    with served(app) as base_url:
        yield base_url


@pytest.fixture
def browser_page() -> Iterator[Page]:
    """A fresh, phone-sized Chromium page; fails (not skips) when Chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (`make browser` does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport=PHONE_VIEWPORT,
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
            )
            context.set_default_timeout(TIMEOUT_MS)
            try:
                yield context.new_page()
            finally:
                context.close()
        finally:
            browser.close()
