"""In Chromium on a phone: a secretary opens the dashboard, drills down to an overdue member, downloads the XLSX."""

from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.chromium import TIMEOUT_MS, Journey
from tests.factories.reports import YEAR

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-reports"


@pytest.mark.browser
def test_a_secretary_drills_down_to_an_overdue_member_and_downloads_the_xlsx(
    world, year_of_study, browser_page: Page, live_server: str, tmp_path
):
    expect.set_options(timeout=TIMEOUT_MS)
    page, journey = browser_page, Journey(browser_page, ARTIFACTS, live_server)
    snap = journey.snap
    journey.sign_in("sec_a")
    page.get_by_role("button", name="菜单").click()
    page.get_by_test_id("nav-reports").click()
    expect(page.locator("h1")).to_contain_text("第一党支部")
    page.locator('select[name="year"]').select_option(str(YEAR))
    page.locator(".report-controls button[type=submit]").click()
    expect(page.get_by_test_id("course-c-party")).to_contain_text("1 / 2")
    overdue_row = page.get_by_test_id("member-sec_a")
    expect(overdue_row.get_by_test_id("overdue")).to_contain_text("c-party")
    snap("dashboard")

    overdue_row.get_by_role("link").click()
    expect(page.get_by_test_id("member-course-c-party")).to_contain_text("逾期")
    snap("member")
    page.get_by_test_id("member-course-c-party").get_by_role("link").click()
    expect(page.get_by_test_id(f"member-lesson-{year_of_study.lesson}")).to_contain_text(f"{YEAR}-06-01")
    snap("member-course")

    page.go_back()
    page.get_by_test_id("member-unit").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("download-xlsx").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name.startswith(f"第一党支部-{YEAR}年学习统计")
    members = {row[0]: row for row in load_workbook(saved)["成员学时"].iter_rows(min_row=2, values_only=True)}
    assert set(members) == {"sec_a", "member_a"}
    assert members["sec_a"][9] == "c-party" and members["member_a"][3] == 11
    assert journey.problems == []
