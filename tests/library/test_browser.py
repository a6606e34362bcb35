"""A member searches the library on a phone, opens a hit at its section, reads on, and comes back later."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.chromium import sign_in
from tests.factories.library import make_document

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-library"

SECTIONS = {
    "一、总体要求": ["加强学习，提高认识。"] * 12,
    "二、根本原则": ["我们党坚持民主集中制，这是根本的组织原则。", *["按照规定开展组织生活。"] * 12],
    "三、具体做法": ["支部每月召开委员会会议，集体讨论重要事项。"] * 12,
}
NOTE = "# 组织制度学习笔记\n\n开篇。\n\n" + "\n\n".join(
    f"## {heading}\n\n" + "\n\n".join(paragraphs) for heading, paragraphs in SECTIONS.items()
)


@pytest.mark.browser
def test_member_searches_opens_the_hit_section_and_resumes_later(app, live_server, browser_page: Page):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    page, problems = browser_page, []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    with app.app_context():
        document_id = make_document("组织制度学习笔记", NOTE).id
        make_document("其他材料", "## 一\n\n加强理论学习。")

    sign_in(page, live_server, "member_a")
    page.goto(f"{live_server}/library/")
    expect(page.get_by_test_id("document-list")).to_contain_text("组织制度学习笔记")
    page.screenshot(path=ARTIFACTS / "01-catalogue.png", full_page=True)

    page.get_by_test_id("library-q").first.fill("民主集中制")
    page.get_by_test_id("library-q").first.press("Enter")
    results = page.get_by_test_id("results")
    expect(results.locator("mark").first).to_have_text("民主集中制")
    page.screenshot(path=ARTIFACTS / "02-results.png", full_page=True)

    results.locator("a.result-title").first.click()
    expect(page).to_have_url(f"{live_server}/library/documents/{document_id}#s3")
    expect(page.locator("#s3 h2")).to_be_in_viewport()
    page.screenshot(path=ARTIFACTS / "03-reading-at-hit.png")

    # Reading on to the next section; the page remembers it (after the reader settles there).
    with page.expect_response(lambda response: response.request.method == "PUT") as saved:
        page.locator("#s4").scroll_into_view_if_needed()
        page.mouse.wheel(0, 200)
    assert saved.value.ok

    page.goto(f"{live_server}/library/documents/{document_id}")
    resume = page.get_by_test_id("resume")
    expect(resume).to_be_visible()
    resume.locator("a").click()
    expect(page.locator("#s4 h2")).to_be_in_viewport()
    page.screenshot(path=ARTIFACTS / "04-resumed.png")
    assert problems == []
