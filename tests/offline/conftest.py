"""The offline browser journeys reuse the live server and Chromium page of the browser tests; the
installability check needs a profile on disk (Chromium installs nothing from an incognito one)."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT, TIMEOUT_MS
from tests.browser.conftest import browser_page, live_server  # noqa: F401


@pytest.fixture
def profile_page(tmp_path) -> Iterator[Page]:
    """A phone-sized Chromium page in a fresh profile on disk (not incognito)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (`make browser` does)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=PHONE_VIEWPORT,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()
