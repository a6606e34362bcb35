"""A trainer uploads a video in Chromium, watches its state change live and previews it — on a phone."""

import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from app.extensions import db
from app.media.models import Video, VideoStatus
from tests.browser.chromium import sign_in
from tests.factories.media import make_ready_video

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-trainer-videos"


@pytest.mark.browser
def test_a_trainer_uploads_a_video_and_previews_it(app, browser_page: Page, live_server: str, clips):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    page = browser_page
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    sign_in(page, live_server, "trainer")

    page.goto(f"{live_server}/media/videos")
    page.screenshot(path=ARTIFACTS / "01-empty-library.png", full_page=True)
    page.set_input_files("input[name=file]", str(clips["360p"]))
    page.click("[data-upload-form] button[type=submit]")  # sent by media.js with a progress bar
    page.wait_for_url(f"{live_server}/media/videos/*")

    video = page.locator("[data-testid=video-preview]")
    expect(video).to_be_visible()
    page.evaluate("document.querySelector('video').muted = true")
    page.evaluate("document.querySelector('video').play()")
    deadline = time.monotonic() + 10  # wait_for_function would need 'unsafe-eval', which the CSP forbids
    while page.evaluate("document.querySelector('video').currentTime") < 0.5:
        assert time.monotonic() < deadline, "the video does not play"
        page.wait_for_timeout(100)
    assert page.evaluate("document.querySelector('video').videoHeight") == 360
    page.screenshot(path=ARTIFACTS / "02-preview.png", full_page=True)
    assert problems == []


@pytest.mark.browser
def test_the_library_shows_a_job_finishing_without_a_reload(app, browser_page: Page, live_server: str):
    with app.app_context():
        video_id = make_ready_video().id
        db.session.execute(update(Video).values(status=VideoStatus.PROCESSING, progress=42))
        db.session.commit()
    page = browser_page
    sign_in(page, live_server, "trainer")
    page.goto(f"{live_server}/media/videos")
    state = page.locator(f"[data-testid=video-status-{video_id}]")
    expect(state).to_have_attribute("data-status", "processing")
    expect(state.locator("progress")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "03-library-processing.png", full_page=True)

    with app.app_context():
        db.session.execute(update(Video).values(status=VideoStatus.PROCESSING, progress=80))
        db.session.commit()
    expect(state.locator("[data-role=percent]")).to_have_text("80%")
    with app.app_context():
        db.session.execute(update(Video).values(status=VideoStatus.READY, progress=100))
        db.session.commit()
    expect(state).to_have_attribute("data-status", "ready")
    expect(state.locator("progress")).to_be_hidden()
    page.screenshot(path=ARTIFACTS / "04-library-ready.png", full_page=True)
