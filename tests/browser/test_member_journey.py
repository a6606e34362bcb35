"""A member signs in, sees the home page in Chinese, switches to English and signs out — on a phone."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.chromium import Journey
from tests.factories.auth import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-member"


@pytest.fixture
def journey(browser_page: Page, live_server: str) -> Journey:
    return Journey(browser_page, ARTIFACTS, live_server)


@pytest.mark.browser
def test_member_signs_in_switches_to_english_and_signs_out(journey: Journey):
    page = journey.page
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

    assert journey.problems == []  # script errors, CSP violations and failed requests along the way
