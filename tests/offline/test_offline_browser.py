"""In Chromium: the site is installable, and a member studies offline with credit that stays honest."""

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.courses.models import CompletionRule, LessonKind
from app.extensions import db
from app.offline.models import OfflineUpload
from app.progress import ledger
from app.timeutil import utcnow
from tests.browser.chromium import TIMEOUT_MS, Journey
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of, make_course
from tests.factories.library import make_document
from tests.factories.media import add_clip, make_clip

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey-offline"
VIDEO = "document.querySelector('video')"


def wait_until(check, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds  # wait_for_function would need 'unsafe-eval' (CSP)
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def service_worker_ready(page: Page) -> None:
    """Wait until the service worker is installed (its precache filled) and controls the page."""
    page.wait_for_load_state()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()  # a page loaded while the worker was installing is controlled from its next load
    assert page.evaluate("!!navigator.serviceWorker.controller"), "no service worker controls the page"


@pytest.mark.browser
@pytest.mark.slow
def test_chromium_reports_the_site_installable(app, world, profile_page: Page, live_server: str):
    journey = Journey(profile_page, ARTIFACTS / "installable", live_server)
    page = journey.page
    page.goto(live_server + "/login")
    service_worker_ready(page)
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    assert journey.problems == []


@pytest.mark.browser
@pytest.mark.slow
def test_a_member_studies_offline_and_the_credit_arrives_marked_offline(
    app, world, browser_page: Page, live_server: str, tmp_path
):
    expect.set_options(timeout=TIMEOUT_MS)
    app.config["PROGRESS_TEXT_MIN_SHARE"] = 0  # the notes count as read when opened
    with app.app_context():
        document = make_document("离线笔记", "## 第一节\n\n火车上也能读的正文。")
        course = make_course(
            "offline",
            lessons=(
                ("notes", LessonKind.TEXT, 1, CompletionRule.OPENED),  # done on opening (no minimum)
                ("clip", LessonKind.VIDEO, 1, CompletionRule.WATCHED),
            ),
        )
        text, video = lesson_of(course, "notes"), lesson_of(course, "clip")
        video.video = add_clip(make_clip(tmp_path / "clip.mp4", 640, 360, seconds=4, audio=False))
        db.session.commit()
        document_path = f"/library/documents/{document.id}"
        text_path, video_path = f"/courses/offline/lessons/{text.id}", f"/courses/offline/lessons/{video.id}"
        video_id, member_id = video.id, user_named("member_a").id

    journey = Journey(browser_page, ARTIFACTS / "journey", live_server)
    page = journey.page
    journey.sign_in("member_a")
    service_worker_ready(page)

    # Online: save a document and a text lesson, download the video lesson.
    for path in (document_path, text_path):
        page.goto(live_server + path)
        page.get_by_test_id("offline-save").click()
        expect(page.get_by_test_id("offline-save")).to_have_attribute("data-state", "saved")
    page.goto(live_server + video_path)
    page.get_by_test_id("offline-download").click()
    expect(page.get_by_test_id("offline-download")).to_have_attribute("data-state", "saved")
    page.goto(live_server + "/offline/device")
    expect(page.get_by_test_id("offline-item")).to_have_count(3)
    expect(page.get_by_test_id("offline-size").last).not_to_have_text("…")
    journey.snap("on-this-device")

    # Offline: the saved pages open, an unsaved one shows the offline page, the lesson plays.
    page.context.set_offline(True)
    page.goto(live_server + document_path)
    expect(page.locator("h1")).to_have_text("离线笔记")
    page.goto(live_server + text_path)
    expect(page.get_by_test_id("lesson-body")).to_be_visible()
    page.goto(live_server + "/courses/")
    expect(page.get_by_test_id("offline-page")).to_be_visible()
    page.goto(live_server + f"/offline/lessons/{video_id}")
    page.evaluate(f"{VIDEO}.muted = true")
    page.evaluate(f"{VIDEO}.play()")
    wait_until(lambda: page.evaluate(f"{VIDEO}.ended"), "the downloaded lesson did not play to its end")
    journey.snap("played-offline")

    def logs() -> list[dict]:
        return page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('offline.log.'))"
            ".map(k => JSON.parse(localStorage[k]))"
        )

    # The "ended" event (which logs the last stretch) follows the end a moment later.
    wait_until(
        lambda: logs() and sum(p["end"] - p["start"] for p in logs()[0]["plays"]) >= 3.5, "no play logged"
    )
    played = logs()
    assert len(played) == 1
    with app.app_context():
        assert db.session.scalar(select(OfflineUpload.id)) is None  # nothing reached the server

    # Back online: the log is uploaded, the lesson completes, the ledger marks offline evidence.
    page.context.set_offline(False)
    page.goto(live_server + "/offline/device")
    expect(page.get_by_test_id("offline-result").first).to_have_attribute("data-status", "credited")
    with app.app_context():
        credited = db.session.scalars(select(OfflineUpload)).one()
        assert (credited.status, credited.completed) == ("credited", True)
        report = ledger.ledger_report(user_named("member_a"), ledger.local_year(utcnow()))
        assert any(entry["offline_evidence"] for entry in report["entries"])

    # Removing a saved document takes it off the device (its page is no longer kept).
    page.get_by_test_id("offline-item").filter(has_text="离线笔记").get_by_test_id("offline-remove").click()
    expect(page.get_by_test_id("offline-item")).to_have_count(2)
    assert not page.evaluate(
        "url => caches.open('offline-pages').then(c => c.match(url)).then(Boolean)",
        live_server + document_path,
    )

    # A tampered log (the same plays again under a new id) earns nothing and is recorded.
    replay = dict(played[0], log_id="tampered-1")
    page.evaluate("log => localStorage.setItem('offline.log.' + log.grant, JSON.stringify(log))", replay)
    page.reload()
    expect(page.get_by_test_id("offline-result").first).to_have_attribute("data-status", "refused")
    with app.app_context():
        reasons = db.session.scalars(select(OfflineUpload.reason).order_by(OfflineUpload.id)).all()
        assert reasons == ["", "replayed"]

    # Signing out leaves none of the member's study on the device (a shared phone).
    journey.sign_out()
    for cache in ("offline-pages", "offline-media"):
        assert page.evaluate(f"caches.open('{cache}').then(c => c.keys()).then(k => k.length)") == 0, cache
    assert page.evaluate("localStorage.getItem('offline.items')") is None

    # The secretary sees the offline mark in the member's ledger, and both uploads.
    journey.sign_in("sec_a")
    page.goto(live_server + f"/progress/members/{member_id}/ledger")
    expect(page.get_by_test_id("offline-evidence").first).to_be_visible()
    page.goto(live_server + "/offline/uploads")
    expect(page.get_by_test_id("offline-upload")).to_have_count(2)
    journey.snap("secretary-uploads")
    # The one failed request on the way is the tampered log's refusal (409).
    unexpected = [problem for problem in journey.problems if not problem.startswith("409 ")]
    assert unexpected == [], json.dumps(journey.problems, ensure_ascii=False)
