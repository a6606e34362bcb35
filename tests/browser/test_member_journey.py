"""A member signs in, sees the home page in Chinese, switches to English and signs out — on a phone."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from tests.factories.auth import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-member"


class Journey:
    """Numbers the steps and keeps a full-page screenshot of each for a person to look at."""

    def __init__(self, page: Page, base_url: str, directory: Path):
        self.page = page
        self.base_url = base_url
        self.directory = directory
        self.step = 0

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def snap(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=self.directory / f"{self.step:02d}-{name}.png", full_page=True)


@pytest.fixture
def journey(browser_page: Page, live_server: str) -> Journey:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return Journey(browser_page, live_server, ARTIFACTS)


@pytest.mark.browser
def test_member_signs_in_switches_to_english_and_signs_out(journey: Journey):
    page = journey.page
    problems: list[str] = []  # script errors, CSP violations and failed requests along the way
    page.on("console", lambda message: _note_console(message, problems))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda response: _note_response(response, problems))

    # The sign-in page speaks Chinese to a first-time visitor.
    response = page.goto(journey.url("/login"))
    assert response is not None and response.ok
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_contain_text("登录")
    journey.snap("login-zh")

    page.locator('input[name="username"]').fill("member_a")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('form[action="/login"] button[type="submit"]').click()

    # Home, in Chinese, with the member's name and study card.
    expect(page).to_have_url(journey.url("/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲党员")
    study_card = page.get_by_test_id("study-card")
    expect(study_card).to_contain_text("学时")
    expect(page.locator(".nav-toggle")).to_have_text("菜单")
    journey.snap("home-zh")

    # The footer's language switch.
    page.locator('footer button[name="locale"][value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(journey.url("/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲党员")
    expect(study_card).to_contain_text("study hours")
    expect(page.get_by_test_id("logout")).to_have_text("Sign out")
    journey.snap("home-en")

    # The choice is remembered.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    journey.snap("home-en-reloaded")

    # On a phone the navigation is folded behind the menu button.
    logout = page.get_by_test_id("logout")
    toggle = page.locator(".nav-toggle")
    if not logout.is_visible():
        expect(toggle).to_have_text("Menu")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(logout).to_be_visible()
    journey.snap("menu-open")
    logout.click()

    # Signed out, on the sign-in page, still in English (the language cookie stays).
    expect(page).to_have_url(journey.url("/login"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Online Party School")
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    expect(page.get_by_test_id("logout")).to_have_count(0)
    journey.snap("signed-out")

    # The home page is closed again.
    page.goto(journey.url("/"))
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Online Party School")
    journey.snap("home-redirects-to-login")

    assert problems == []


def _note_console(message: ConsoleMessage, problems: list[str]) -> None:
    # Failed requests are reported by _note_response, with their address.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(f"console: {message.text}")


def _note_response(response: Response, problems: list[str]) -> None:
    if response.status >= 400:
        problems.append(f"{response.status} {response.request.method} {response.url}")
