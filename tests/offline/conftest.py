"""The offline browser journeys use the live server and Chromium page of the browser tests; the
installability check needs a profile on disk (Chromium installs nothing from an incognito one)."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT, TIMEOUT_MS


@pytest.fixture
def profile_page(playwright: Playwright, tmp_path) -> Iterator[Page]:
    """A phone-sized Chromium page in a fresh profile on disk (not incognito)."""
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
