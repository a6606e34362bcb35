"""The navigation bar: an administrator's many pages sit in two groups, not in one long row."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.chromium import TIMEOUT_MS, Journey

DESKTOP = {"width": 1280, "height": 800}


def top_level_entries(page: Page) -> list[str]:
    """What the bar shows before any group is opened."""
    return [
        text.strip()
        for text in page.locator(
            "#main-nav > a, #main-nav > form button, #main-nav .nav-group-label"
        ).all_inner_texts()
        if text.strip()
    ]


@pytest.mark.browser
def test_an_administrator_s_pages_are_grouped_and_reached_through_their_group(
    world, browser_page: Page, live_server: str, tmp_path
):
    expect.set_options(timeout=TIMEOUT_MS)
    page = browser_page
    journey = Journey(page, tmp_path / "navigation", live_server)
    page.set_viewport_size(DESKTOP)
    journey.sign_in("admin")
    entries = top_level_entries(page)
    assert len(entries) <= 11, entries  # the own-study links (replies included), two groups, sign-out
    assert "教学 ▾" not in entries and {"教学", "管理"} <= set(entries)
    audit = page.get_by_test_id("nav-audit")
    expect(audit).to_be_hidden()
    page.get_by_role("button", name="管理").hover()
    expect(audit).to_be_visible()
    journey.snap("management-open")
    audit.click()
    expect(page).to_have_url(re.compile(r"/audit/$"))
    expect(page.get_by_role("button", name="管理")).to_have_attribute("aria-current", "page")
    # Keyboard: the group opens when its label has the focus.
    page.get_by_role("button", name="教学").focus()
    expect(page.locator("#main-nav a[href='/quizzes/banks']")).to_be_visible()

    # On a phone, the menu lists every link, each group under its label.
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator(".nav-toggle").click()
    expect(audit).to_be_visible()
    expect(page.locator("#main-nav a[href='/quizzes/banks']")).to_be_visible()
    journey.snap("phone-menu")
    assert journey.problems == []
