"""On a phone (390×844): no page that a demo role reaches by following links scrolls sideways.

Each role signs in to the demo site and walks its links breadth-first, one page per URL shape
(``/courses/7/`` and ``/courses/9/`` are one shape), so every kind of page is measured once.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Error, Page

from app.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.browser.chromium import PHONE_VIEWPORT, sign_in
from tests.web import served

# Downloads, files and sign-out are not pages to lay out.
NOT_A_PAGE = re.compile(
    r"^/(logout|static/|media/)|/(export|download)|\.(xlsx|csv|pdf|zip|txt|gift|json|mp4|png|svg)$|[?&]format="
)
PAGES_PER_ROLE = 150
SCREENSHOTS = Path(os.environ["PHONE_SCREENSHOTS"]) if os.environ.get("PHONE_SCREENSHOTS") else None
# Where a page is wider than the phone, the elements that stick out name the culprit in the failure.
OVERFLOW = """(width) => {
  const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > width + 1);
  const innermost = wide.filter((e) => !wide.some((other) => other !== e && e.contains(other)));
  return innermost.slice(0, 3).map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
}"""


@pytest.fixture
def demo_site(app, runner) -> Iterator[str]:
    loaded = runner.invoke(args=["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    with served(app) as base_url:
        yield base_url


def shape(url: str) -> str:
    """A page's kind: its path with numbers generalised, and its query's parameter names."""
    parts = urlsplit(url)
    names = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(names) if names else "")


def crawl(page: Page, base_url: str) -> Iterator[str]:
    """Open each page shape reachable from the home page; yield each path once it has loaded."""
    queue, seen = ["/"], {shape("/")}
    while queue and len(seen) <= PAGES_PER_ROLE:
        path = queue.pop(0)
        try:
            response = page.goto(base_url + path)
        except Error:  # a link that starts a download
            continue
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        yield path
        for href in page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)"):
            target = urlsplit(urljoin(page.url, href))
            if target.netloc != urlsplit(base_url).netloc:
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if not NOT_A_PAGE.search(link) and shape(link) not in seen:
                seen.add(shape(link))
                queue.append(link)


@pytest.mark.browser
@pytest.mark.slow
def test_no_page_any_demo_role_reaches_scrolls_sideways_on_a_phone(
    demo_site: str, browser_page: Page, tmp_path
):
    page = browser_page
    width = PHONE_VIEWPORT["width"]
    broken: list[str] = []
    page.on("response", lambda response: response.status >= 400 and broken.append(response.url))
    for account in DEMO_ACCOUNTS[:5]:  # admin, trainer, reviewer, secretary, member
        page.context.clear_cookies()
        sign_in(page, demo_site, account.username, DEMO_PASSWORD)
        visited, too_wide = [], {}
        for path in crawl(page, demo_site):
            visited.append(path)
            if SCREENSHOTS:
                page.screenshot(
                    path=SCREENSHOTS / f"{account.username}-{len(visited):03d}.png", full_page=True
                )
            if page.evaluate("document.documentElement.scrollWidth") > width:
                too_wide[path] = page.evaluate(OVERFLOW, width)
        assert len(visited) > 10, (account.username, visited)  # the walk really went through the pages
        assert too_wide == {}, account.username
    assert broken == []


@pytest.mark.browser
def test_on_a_phone_the_report_shows_each_member_as_a_card_with_labelled_lines(
    demo_site: str, browser_page: Page, tmp_path
):
    """The secretary's report at 390 px: the unit column no longer shrinks to a character a line."""
    page = browser_page
    sign_in(page, demo_site, "secretary", DEMO_PASSWORD)
    page.goto(f"{demo_site}/reports/")
    unit_cell = page.get_by_test_id("member-member").locator("td").nth(1)
    label = "getComputedStyle(cell, '::before').content"
    assert unit_cell.evaluate("cell => getComputedStyle(cell).display") == "block"
    assert unit_cell.evaluate(f"cell => {label}") == '"所在组织"'
    assert unit_cell.bounding_box()["height"] < 80  # two lines, not one character a line
    assert page.evaluate("document.documentElement.scrollHeight") < 3000

    page.set_viewport_size({"width": 1280, "height": 800})  # a desktop keeps the table
    assert unit_cell.evaluate("cell => getComputedStyle(cell).display") == "table-cell"
    assert unit_cell.evaluate(f"cell => {label}") == "none"
