"""Bearer tokens for API clients: issued for a password, used on every API family, ended on demand."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth import services, tokens
from app.auth.models import ApiToken, Role, User
from app.extensions import db
from app.timeutil import utcnow
from tests.factories.auth import PASSWORD, make_user
from tests.factories.courses import make_video_lesson
from tests.factories.quizzes import make_quiz, single
from tests.web import csrf_token


def issue(client, username="member_a", password=PASSWORD, device="我的手机"):
    return client.post("/api/v1/tokens", json={"username": username, "password": password, "device": device})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token(world, client) -> str:
    answer = issue(client)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["token"]


def test_a_token_is_issued_for_the_password_and_stored_only_as_its_hash(app, world, client):
    answer = issue(client)
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["token"].startswith("psk_") and len(body["token"]) > 40 and body["device"] == "我的手机"
    with app.app_context():
        stored = db.session.get(ApiToken, body["id"])
        assert stored.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
        assert body["token"] not in {stored.token_hash, stored.device_name}
        assert stored.expires_at - stored.created_at == timedelta(days=90)


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"username": "member_a", "password": "wrong-password", "device": "手机"}, 401),
        ({"username": "nobody", "password": PASSWORD, "device": "手机"}, 401),
        ({"username": "member_a", "password": PASSWORD, "device": ""}, 422),
        ({"username": "member_a", "password": PASSWORD}, 422),
        ({"username": ["member_a"], "password": PASSWORD, "device": "手机"}, 422),
    ],
)
def test_wrong_credentials_or_a_bad_request_get_no_token(app, world, client, payload, status):
    answer = client.post("/api/v1/tokens", json=payload)
    assert answer.status_code == status and "token" not in answer.get_json()
    with app.app_context():
        assert db.session.scalar(select(ApiToken.id)) is None


def test_a_bearer_token_works_on_every_api_family_without_a_csrf_token(app, world, client, token):
    with app.app_context():
        lesson_id = make_video_lesson().id
        make_user("trainer2", (Role.TRAINER,), "甲党委")
        quiz = make_quiz([single()])
        from app.quizzes.services import attempts

        attempt = attempts.start_attempt(quiz, db.session.get(User, world.member_a))
        attempt_id, revision = attempt.id, attempt.revision
        question = attempt.snapshot[0]["question_id"]
    api = app.test_client()  # a fresh client: no cookie at all
    assert api.get("/api/v1/me", headers=bearer(token)).get_json()["username"] == "member_a"
    assert api.get("/api/v1/progress/ledger", headers=bearer(token)).status_code == 200
    assert api.get("/api/v1/progress/statements", headers=bearer(token)).status_code == 200
    assert api.get("/api/v1/library/search?q=党章", headers=bearer(token)).status_code == 200
    assert api.get("/api/v1/videos/status?ids=1", headers=bearer(token)).status_code == 403  # trainers' only
    assert api.get(f"/api/v1/lessons/{lesson_id}/progress", headers=bearer(token)).status_code == 200
    beat = api.post(
        f"/api/v1/lessons/{lesson_id}/heartbeat", json={"start": 0, "end": 5}, headers=bearer(token)
    )
    assert beat.status_code == 200 and beat.get_json()["accepted_seconds"] == 5
    saved = api.post(
        f"/api/v1/quizzes/attempts/{attempt_id}/answers",
        json={"revision": revision, "fields": [[f"q-{question}", "0"]]},
        headers=bearer(token),
    )
    assert saved.status_code == 200, saved.get_json()
    assert api.post("/api/v1/me/locale", json={"locale": "en"}, headers=bearer(token)).status_code == 200
    assert api.get(f"/api/v1/org-units/{world.unit_a1}/report", headers=bearer(token)).status_code == 404


def test_staff_tokens_read_what_their_roles_may(app, world, client):
    secretary = issue(client, "sec_a").get_json()["token"]
    answer = app.test_client().get(f"/api/v1/org-units/{world.unit_a1}/report", headers=bearer(secretary))
    assert answer.status_code == 200 and answer.get_json()["unit"]["id"] == world.unit_a1
    trainer = issue(client, "trainer").get_json()["token"]
    answer = app.test_client().get("/api/v1/videos/status?ids=1", headers=bearer(trainer))
    assert answer.status_code == 200 and answer.get_json() == {"videos": []}


def test_a_token_opens_no_page_and_a_session_cookie_is_no_token(app, world, client, auth, token):
    api = app.test_client()
    page = api.get("/", headers=bearer(token))
    assert page.status_code == 302 and "/login" in page.location  # pages never take a bearer token
    api.set_cookie("session", token)  # a token where the session cookie goes is no session
    assert api.get("/api/v1/me").status_code == 401
    auth.login("member_b")
    cookie = client.get_cookie("session").value
    assert app.test_client().get("/api/v1/me", headers=bearer(cookie)).status_code == 401
    # A bearer request is the token's alone: a signed-in browser's cookie does not stand in for a bad one.
    assert client.get("/api/v1/me", headers=bearer("psk_not-a-token")).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["username"] == "member_a"


def test_a_cookie_signed_api_post_still_needs_its_csrf_token(app, world, client, auth):
    auth.login("member_a")
    assert client.post("/api/v1/me/locale", json={"locale": "en"}).status_code == 400
    token = csrf_token(client, "/")
    assert (
        client.post("/api/v1/me/locale", json={"locale": "en"}, headers={"X-CSRFToken": token}).status_code
        == 200
    )


def test_a_device_is_listed_and_revoked_on_the_account_page(app, world, client, auth, token):
    api = app.test_client()
    auth.login("member_a")
    page = client.get("/account/devices").get_data(as_text=True)
    assert "我的手机" in page
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    answer = client.post(
        f"/account/devices/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/account/devices")}
    )
    assert answer.status_code == 302
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert "我的手机" not in client.get("/account/devices").get_data(as_text=True)


def test_another_account_cannot_revoke_my_token(app, world, client, auth, token):
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    auth.login("member_b")
    answer = client.post(
        f"/account/devices/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/account/devices")}
    )
    assert answer.status_code == 404
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("ending", ["password change", "sign out everywhere", "deactivation"])
def test_tokens_end_with_the_account_s_sessions(app, world, client, token, ending):
    with app.app_context():
        member = db.session.get(User, world.member_a)
        if ending == "password change":
            services.change_password(member, PASSWORD, "a-new-long-passphrase-2026")
        elif ending == "sign out everywhere":
            services.end_all_sessions(member)
        else:
            services.set_active(member, False)
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_an_expired_token_is_refused(app, world):
    with app.app_context():
        _issued, token = tokens.issue_token("member_a", PASSWORD, "旧手机", now=utcnow() - timedelta(days=91))
        assert tokens.user_for_token(token) is None
        _issued, fresh = tokens.issue_token("member_a", PASSWORD, "新手机")
        assert tokens.user_for_token(fresh).username == "member_a"
