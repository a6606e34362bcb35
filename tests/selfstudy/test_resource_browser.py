"""In Chromium: a member finds a library video by its caption, plays it in the verified player (its
heartbeats go with the session cookie and CSRF token), and earns its self-study hours; a secretary's
assessment board renders. Screenshots in tests/artifacts/selfstudy/."""

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.org.models import OrgUnit
from app.progress.models import HourEntry, SourceKind
from app.selfstudy import services
from tests.browser.chromium import TIMEOUT_MS, Journey
from tests.factories.auth import user_named
from tests.factories.library import make_resource
from tests.factories.media import add_clip, make_clip

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "selfstudy"


def wait_until(check, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.browser
@pytest.mark.slow
def test_a_member_finds_and_watches_a_library_video_and_earns_self_study_hours(
    app, world, browser_page: Page, live_server: str, tmp_path
):
    expect.set_options(timeout=TIMEOUT_MS)
    journey = Journey(browser_page, ARTIFACTS, live_server)
    page = browser_page
    with app.app_context():
        services.set_rule(db.session.get(OrgUnit, world.committee_a), True, 1, None, user_named("admin"))
        video = add_clip(make_clip(tmp_path / "clip.mp4", 320, 240, seconds=4, audio=False))
        make_resource("video", title="红船精神", caption="讲述南湖红船的故事。", video=video)
        make_resource("image", title="一大会址", caption="上海兴业路。", topic="红色教育基地")
        member_id = user_named("member_a").id

    def credited() -> list[HourEntry]:
        with app.app_context():
            return list(
                db.session.scalars(
                    select(HourEntry).where(
                        HourEntry.user_id == member_id, HourEntry.source_kind == SourceKind.RESOURCE
                    )
                )
            )

    journey.sign_in("member_a")
    page.goto(f"{live_server}/library/")
    page.locator("[data-testid=library-resources]").click()
    expect(page.locator("[data-testid=resource-list]")).to_contain_text("一大会址")
    journey.snap("resources")
    page.locator("[data-testid=resource-q]").fill("南湖红船")
    page.locator("[data-testid=resource-q]").press("Enter")
    expect(page.locator("[data-testid=resource-hits]")).to_contain_text("红船精神")
    journey.snap("search")
    page.locator("[data-testid=resource-hits] a").first.click()
    expect(page.locator("[data-testid=self-study-hours]")).to_contain_text("学时")
    page.evaluate("document.querySelector('video').muted = true")
    page.evaluate("document.querySelector('video').play()")
    wait_until(lambda: page.evaluate("document.querySelector('video').ended"), "the video did not end")
    wait_until(lambda: credited(), "watching the video through earned no self-study hours")
    journey.snap("watched")
    assert credited()[0].hours > 0
    assert journey.problems == []


@pytest.mark.browser
@pytest.mark.slow
def test_the_pages_of_trainers_and_secretaries_render(app, world, browser_page: Page, live_server: str):
    expect.set_options(timeout=TIMEOUT_MS)
    journey = Journey(browser_page, ARTIFACTS / "staff", live_server)
    page = browser_page
    journey.sign_in("trainer")
    page.goto(f"{live_server}/library/resources/new")
    expect(page.locator("[data-testid=resource-form]")).to_be_visible()
    journey.snap("resource-form")
    journey.sign_in("sec_a")
    page.goto(f"{live_server}/progress/units/{world.unit_a1}/self-study")
    expect(page.locator("[data-testid=self-study-form]")).to_be_visible()
    journey.snap("self-study-rule")
    page.goto(f"{live_server}/assessment/")
    expect(page.locator("[data-testid=target-form]")).to_be_visible()
    journey.snap("assessment-board")
    assert journey.problems == []
