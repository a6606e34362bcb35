"""Debian's Chromium as the browser journeys drive it, and the Journey helper (screenshots, errors)."""

import shutil
import time
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, Response, expect

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


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form and wait for the home page to load: the next step must not act on the
    sign-in page still on screen, nor press the menu button before app.js gives it its handler."""
    page.goto(f"{base_url}/login")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('form[action="/login"] button[type="submit"]').click()
    expect(page).to_have_url(f"{base_url}/")
    page.wait_for_load_state()


class Journey:
    """A journey through the site at ``base_url``: numbered screenshots in its artifacts folder, and
    every problem met on the way (script errors, console errors, failed requests with their address)."""

    def __init__(self, page: Page, artifacts: Path, base_url: str):
        shutil.rmtree(artifacts, ignore_errors=True)
        artifacts.mkdir(parents=True)
        self.page, self.artifacts, self.base_url, self.steps = page, artifacts, base_url, 0
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", self._note_console)
        page.on("response", self._note_response)

    def _note_console(self, message: ConsoleMessage) -> None:
        # A failed request is noted by _note_response, with its address.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def _note_response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.request.method} {response.url}")

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def go(self, path: str) -> None:
        self.page.goto(self.url(path))

    def snap(self, name: str) -> None:
        self.steps += 1
        self.page.screenshot(path=self.artifacts / f"{self.steps:02d}-{name}.png", full_page=True)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        """Sign in afresh: whoever was signed in before is forgotten (the journey changes hands)."""
        self.page.context.clear_cookies()
        sign_in(self.page, self.base_url, username, password)

    def sign_out(self) -> None:
        """Press "Sign out" (behind the menu button on a phone) and wait for the sign-in page."""
        logout = self.page.get_by_test_id("logout")
        if not logout.is_visible():
            self.page.locator(".nav-toggle").click()
        logout.click()
        self.page.wait_for_url("**/login")
