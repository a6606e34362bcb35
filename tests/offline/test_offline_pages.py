"""The offline API with a bearer token or the session cookie, and the pages around offline study."""

from datetime import timedelta

from sqlalchemy import select

from app.courses.models import Lesson
from app.extensions import db
from app.offline.models import OfflineSetting, OfflineUpload
from app.timeutil import utcnow
from tests.factories.auth import PASSWORD
from tests.factories.courses import make_video_lesson
from tests.factories.offline import grant, play
from tests.web import csrf_token


def a_lesson(app) -> int:
    with app.app_context():
        return make_video_lesson(duration=100).id


def test_a_phone_client_downloads_and_uploads_with_its_bearer_token_and_no_csrf(app, world, client):
    lesson_id = a_lesson(app)
    answer = client.post(
        "/api/v1/tokens", json={"username": "member_a", "password": PASSWORD, "device": "我的手机"}
    )
    headers = {"Authorization": f"Bearer {answer.get_json()['token']}"}
    granted = client.post("/api/v1/offline/grants", json={"lesson_id": lesson_id}, headers=headers)
    assert granted.status_code == 201
    body = granted.get_json()
    assert body["grant"].startswith("og1.") and body["lesson_id"] == lesson_id and body["credit_allowed"]
    assert body["video_url"].endswith("/360p.mp4") and body["max_speed"] == 1.5
    begun = utcnow().replace(microsecond=0) - timedelta(seconds=60)
    with app.app_context():  # downloaded a minute ago, and played since
        token = grant(db.session.get(Lesson, lesson_id), at=begun - timedelta(seconds=1))
    sent = {"grant": token, "log_id": "phone-1", "plays": [play(0, 40, begun)]}
    uploaded = client.post("/api/v1/offline/uploads", json=sent, headers=headers)
    assert uploaded.status_code == 201, uploaded.get_json()
    assert uploaded.get_json()["status"] == "credited" and uploaded.get_json()["verified_seconds"] == 40
    refused = client.post("/api/v1/offline/uploads", json={**sent, "log_id": "phone-2"}, headers=headers)
    assert (refused.status_code, refused.get_json()) == (409, {"error": "replayed"})


def test_the_cookie_path_needs_the_csrf_token(app, world, client, auth):
    lesson_id = a_lesson(app)
    auth.login("member_a")
    assert client.post("/api/v1/offline/grants", json={"lesson_id": lesson_id}).status_code == 400
    headers = {"X-CSRFToken": csrf_token(client, "/offline/device")}
    assert (
        client.post("/api/v1/offline/grants", json={"lesson_id": lesson_id}, headers=headers).status_code
        == 201
    )


def test_bad_requests_change_nothing(app, world, client, auth):
    lesson_id = a_lesson(app)
    auth.login("member_a")
    headers = {"X-CSRFToken": csrf_token(client, "/offline/device")}
    for payload in ({"lesson_id": "1"}, {"lesson_id": 2**40}, {"lesson_id": lesson_id + 99}, [1]):
        assert client.post("/api/v1/offline/grants", json=payload, headers=headers).status_code in (
            400,
            404,
            422,
        )
    answer = client.post(
        "/api/v1/offline/uploads", json={"grant": "og1.x", "log_id": "a", "plays": []}, headers=headers
    )
    assert (answer.status_code, answer.get_json()) == (403, {"error": "bad_grant"})
    with app.app_context():  # the refusal is kept, with nothing credited
        assert db.session.scalars(select(OfflineUpload.reason)).all() == ["bad_grant"]


def test_the_installable_app_is_served_from_the_root(app, client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert {icon["sizes"] for icon in manifest.get_json()["icons"]} == {"192x192", "512x512"}
    worker = client.get("/sw.js")
    assert worker.mimetype == "application/javascript" and worker.headers["Cache-Control"] == "no-cache"
    script = worker.get_data(as_text=True)
    assert "/static/vendor/workbox-7.4.1/workbox-sw.js" in script and "googleapis" not in script
    assert '"/offline"' in script
    assert client.get("/offline").status_code == 200  # no sign-in: the service worker keeps it
    for icon in manifest.get_json()["icons"]:
        with client.get(icon["src"]) as served:
            assert served.mimetype == "image/png"


def test_a_secretary_switches_offline_credit_for_units_they_manage_only(app, world, client, auth):
    auth.login("sec_a")
    page = client.get(f"/units/{world.unit_a1}/offline")
    assert page.status_code == 200
    answer = client.post(
        f"/units/{world.unit_a1}/offline",
        data={"choice": "off", "csrf_token": csrf_token(client, f"/units/{world.unit_a1}/offline")},
    )
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(OfflineSetting, world.unit_a1).credit_allowed is False
    assert client.get(f"/units/{world.unit_b1}/offline").status_code == 404
    auth.logout()
    auth.login("member_a")
    assert client.get(f"/units/{world.unit_a1}/offline").status_code == 403


def test_the_uploads_page_shows_a_secretary_only_their_members(app, world, client, auth):
    lesson_id = a_lesson(app)
    for member in ("member_a", "member_b"):
        auth.login(member)
        headers = {"X-CSRFToken": csrf_token(client, "/offline/device")}
        client.post(
            "/api/v1/offline/uploads", json={"grant": "x", "log_id": member, "plays": []}, headers=headers
        )
        auth.logout()
    auth.login("sec_a")
    page = client.get("/offline/uploads").get_data(as_text=True)
    assert page.count('data-testid="offline-upload"') == 1 and "甲党员" in page and "乙党员" not in page
    assert lesson_id
