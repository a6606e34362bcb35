"""Debian's Chromium as the browser journeys drive it, and the Journey helper (screenshots, errors)."""

import shutil
import time
from pathlib import Path

from playwright.sync_api import Page

from tests.factories.auth import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
# Members study on their phones: below 700px the navigation folds behind the "Menu" button.
PHONE_VIEWPORT = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


def wait_until(check, what: str, seconds: float = 10) -> None:
    """Poll ``check`` until it is true, failing with ``what`` after ``seconds`` (Playwright's
    wait_for_function would need 'unsafe-eval', which the site's CSP refuses)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


class Journey:
    """A journey's numbered screenshots in its artifacts folder, and every script error met on the way."""

    def __init__(self, page: Page, artifacts: Path):
        shutil.rmtree(artifacts, ignore_errors=True)
        artifacts.mkdir(parents=True)
        self.page, self.artifacts, self.steps = page, artifacts, 0
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))

    def snap(self, name: str) -> None:
        self.steps += 1
        self.page.screenshot(path=self.artifacts / f"{self.steps:02d}-{name}.png", full_page=True)

    def sign_in(self, base_url: str, username: str, password: str = PASSWORD) -> None:
        self.page.goto(f"{base_url}/login")
        self.page.locator('input[name="username"]').fill(username)
        self.page.locator('input[name="password"]').fill(password)
        self.page.locator('form[action="/login"] button[type="submit"]').click()

    def sign_out(self) -> None:
        """Press "Sign out" (behind the menu button on a phone) and wait for the sign-in page."""
        logout = self.page.get_by_test_id("logout")
        if not logout.is_visible():
            self.page.locator(".nav-toggle").click()
        logout.click()
        self.page.wait_for_url("**/login")
