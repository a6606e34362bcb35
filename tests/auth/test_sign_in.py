"""Signing in and out, throttling, and sessions that end when they should."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import services
from app.extensions import db
from app.timeutil import utcnow
from tests.factories.auth import PASSWORD
from tests.web import AuthActions, csrf_token


def test_member_signs_in_and_sees_the_home_page_in_chinese(world, client, auth):
    response = auth.login("member_a")
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "甲党员" in home
    assert "退出登录" in home
    assert "甲党委/机关党总支/第一党支部" in home


def test_home_page_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/")


@pytest.mark.parametrize("username", ["member_a", "nobody"])
def test_a_wrong_password_or_name_gets_the_same_message(world, client, auth, username):
    response = auth.login(username, "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_username_is_not_case_sensitive(world, client, auth):
    assert auth.login("MEMBER_A").status_code == 302


def test_five_failures_throttle_the_account_even_for_the_right_password(world, client, auth):
    for _attempt in range(5):
        auth.login("member_a", "wrong-password-xx")
    response = auth.login("member_a", PASSWORD)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "连续失败 5 次后账号将锁定 15 分钟" in page
    assert client.get("/").status_code == 302


def test_throttling_ends_after_the_waiting_time(app, world):
    with app.app_context():
        for _attempt in range(5):
            with pytest.raises(services.SignInError):
                services.authenticate("member_a", "wrong-password-xx")
        with pytest.raises(services.SignInError):
            services.authenticate("member_a", PASSWORD)
        later = utcnow() + timedelta(minutes=16)
        assert services.authenticate("member_a", PASSWORD, now=later).username == "member_a"


FLASH = re.compile(r'<div class="flash flash-error" role="status">(.*?)</div>')


def _sign_in_message(auth, username: str, password: str) -> str:
    return FLASH.findall(auth.login(username, password).get_data(as_text=True))[-1]


def test_a_locked_account_and_an_unknown_name_get_the_same_message(world, auth):
    """Locking must not reveal that an account exists: six tries at a real name and at no name read alike."""
    real = [_sign_in_message(auth, "member_a", "wrong-password-xx") for _attempt in range(5)]
    real.append(_sign_in_message(auth, "member_a", PASSWORD))  # locked now, even for the right password
    unknown = [_sign_in_message(auth, "nobody", "wrong-password-xx") for _attempt in range(6)]
    assert real == unknown
    assert len(set(real)) == 1


@pytest.mark.parametrize(
    ("username", "failures_first"),
    [("nobody", 0), ("member_a", 0), ("member_a", 5)],
    ids=["unknown name", "wrong password", "locked account"],
)
def test_every_refused_sign_in_costs_one_password_hash_check(
    app, world, monkeypatch, username, failures_first
):
    with app.app_context():
        for _attempt in range(failures_first):
            with pytest.raises(services.SignInError):
                services.authenticate(username, "wrong-password-xx")
        checks = []
        real_check = services.password_matches
        monkeypatch.setattr(
            services,
            "password_matches",
            lambda hashed, password: checks.append(hashed) or real_check(hashed, password),
        )
        password = PASSWORD if failures_first else "wrong-password-xx"
        with pytest.raises(services.SignInError):
            services.authenticate(username, password)
        assert len(checks) == 1 and checks[0].startswith("scrypt:")


def test_failed_sign_ins_and_lockouts_are_audited_with_the_address_never_the_password(
    app, world, client, auth
):
    for _attempt in range(5):
        auth.login("member_a", "wrong-password-xx")
    data = {"username": "nobody", "password": "wrong-password-yy", "csrf_token": csrf_token(client)}
    client.post("/login", data=data, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        actions = [(event.action, event.object_id) for event in events]
        assert actions == [("auth.login_failed", str(world.member_a))] * 5 + [
            ("auth.locked", str(world.member_a)),
            ("auth.login_failed", "-"),
        ]
        assert events[0].detail == {"username": "member_a", "address": "127.0.0.1", "locked": False}
        assert events[5].detail["address"] == "127.0.0.1" and events[5].detail["until"]
        assert events[6].detail == {"username": "nobody", "address": "203.0.113.9"}
        logged = " ".join(json.dumps(event.detail) for event in events)
        assert "wrong-password" not in logged


def test_a_deactivated_account_cannot_sign_in(app, world, auth):
    with app.app_context():
        services.set_active(db.session.get(services.User, world.member_a), False)
    response = auth.login("member_a")
    assert "已被停用" in response.get_data(as_text=True)


def test_sign_in_without_csrf_token_is_refused(world, client):
    response = client.post("/login", data={"username": "member_a", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_sign_in_renews_the_session(world, client, auth):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login("member_a")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{world.member_a}:")


def test_next_parameter_cannot_redirect_off_site(world, client, auth):
    response = auth.login("member_a", next="https://evil.example/")
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = auth.login("member_a", next="/account/password")
    assert response.headers["Location"] == "/account/password"


def _copy_session(source, target) -> None:
    """Give ``target`` the cookies of ``source``: what a stolen cookie is."""
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie:
            target.set_cookie(name, cookie.value)


def test_signing_out_ends_a_copied_session_cookie(app, world, client, auth):
    auth.login("member_a")
    thief = app.test_client()
    _copy_session(client, thief)
    assert thief.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302
    assert thief.get("/").status_code == 302


def test_signing_out_ends_a_remember_me_cookie(app, world, client, auth):
    auth.login("member_a", remember=True)
    assert client.get_cookie("remember_token") is not None
    other_device = app.test_client()
    other_device.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert other_device.get("/").status_code == 200  # the cookie alone signs in
    auth.logout()
    fresh = app.test_client()
    fresh.set_cookie("remember_token", other_device.get_cookie("remember_token").value)
    assert fresh.get("/").status_code == 302


def test_changing_the_password_signs_out_other_devices_but_not_this_one(app, world, client, auth):
    auth.login("member_a")
    other_device = app.test_client()
    AuthActions(other_device).login("member_a")
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-brand-new-passphrase",
            "confirm": "a-brand-new-passphrase",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    assert AuthActions(app.test_client()).login("member_a", "a-brand-new-passphrase").status_code == 302


def test_changing_the_password_needs_the_current_one(app, world, client, auth):
    auth.login("member_a")
    response = client.post(
        "/account/password",
        data={
            "current_password": "wrong-current-pw",
            "new_password": "a-brand-new-passphrase",
            "confirm": "a-brand-new-passphrase",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert "当前密码不正确" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still signed in
    assert AuthActions(app.test_client()).login("member_a", PASSWORD).status_code == 302


@pytest.fixture
def strict_login_limit(app):
    app.config["RATELIMIT_LOGIN"] = "3 per minute"


def test_many_sign_in_posts_from_one_address_are_rate_limited(world, client, strict_login_limit):
    token = csrf_token(client)
    statuses = [
        client.post(
            "/login", data={"username": f"guess{i}", "password": "x" * 12, "csrf_token": token}
        ).status_code
        for i in range(4)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429
    assert "请求过于频繁" in client.post("/login", data={"csrf_token": token}).get_data(as_text=True)
