"""Pages every visitor meets: the demo accounts' home pages, error pages and security headers."""

import pytest
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.config import PROJECT_ROOT
from app.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD
from app.extensions import db
from app.quizzes.demo import DEMO_BANK
from app.quizzes.models import QuestionBank
from tests.factories.auth import make_user
from tests.settings import TEST_SECRET_KEY
from tests.web import AuthActions


@pytest.fixture
def demo(app, runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    return first


def test_demo_load_runs_once(app, runner, demo):
    again = runner.invoke(args=["demo", "load"])
    assert "already loaded" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == len(DEMO_ACCOUNTS)
        assert (
            db.session.scalar(select(func.count(QuestionBank.id)).where(QuestionBank.name == DEMO_BANK)) == 1
        )


def test_daily_practice_has_questions_on_the_first_run(app, demo):
    client = app.test_client()
    AuthActions(client).login("member", DEMO_PASSWORD)
    page = client.get("/quizzes/daily").get_data(as_text=True)
    assert 'name="q-' in page  # questions drawn from the demo practice bank


@pytest.mark.parametrize(
    ("username", "expected", "absent"),
    [
        ("admin", ["账号管理", "组织架构"], []),
        ("secretary", ["组织架构", "导入花名册"], ["账号管理"]),
        ("trainer", ["培训管理"], ["组织架构", "账号管理"]),
        ("member", ["本年度学习", "32"], ["组织架构", "账号管理"]),
    ],
)
def test_every_demo_role_gets_a_home_page_with_its_own_navigation(app, demo, username, expected, absent):
    client = app.test_client()
    assert AuthActions(client).login(username, DEMO_PASSWORD).status_code == 302
    page = client.get("/").get_data(as_text=True)
    for text in expected:
        assert text in page
    for text in absent:
        assert text not in page


def test_a_missing_page_is_a_chinese_404_in_the_site_s_look(client):
    response = client.get("/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "页面不存在" in page and "网上党校" in page


def test_pages_carry_security_headers(client):
    headers = client.get("/login").headers
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'self': no inline scripts
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_and_samesite(world, client):
    response = AuthActions(client).login("member_a")
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_exactly_when_session_cookie_secure_is_1(tmp_path, monkeypatch):
    from app.config import load_config

    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    plain = load_config(tmp_path, {"SECRET_KEY": TEST_SECRET_KEY})
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    secure = load_config(tmp_path, {"SECRET_KEY": TEST_SECRET_KEY})
    assert (plain["SESSION_COOKIE_SECURE"], plain["REMEMBER_COOKIE_SECURE"]) == (False, False)
    assert (secure["SESSION_COOKIE_SECURE"], secure["REMEMBER_COOKIE_SECURE"]) == (True, True)


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}])
def test_behind_https_the_session_and_remember_cookies_carry_secure(world, client, app_config):
    response = AuthActions(client).login("member_a", remember=True)
    cookies = {value.split("=", 1)[0]: value for value in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "; Secure" in cookies[name] and "HttpOnly" in cookies[name], cookies[name]


def test_the_production_files_and_the_deploy_check_run_with_secure_cookies_over_https():
    """`make deploy-check` starts the documented stack as production runs it: HTTPS and Secure cookies."""
    from tests.deploy.deploy_check import STACK_ENV

    deploy = PROJECT_ROOT / "docs" / "deploy"
    assert STACK_ENV["SESSION_COOKIE_SECURE"] == "1"
    assert "\nSESSION_COOKIE_SECURE=1\n" in (deploy / "env.example").read_text()
    nginx = (deploy / "nginx.conf").read_text()
    assert "listen 443 ssl;" in nginx and "return 301 https://$host$request_uri;" in nginx
    assert "SESSION_COOKIE_SECURE=1" in (PROJECT_ROOT / "docs" / "deploy.md").read_text()


def test_a_secret_key_is_generated_into_the_instance_folder_once(tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}, instance_path=str(instance))
    second = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}, instance_path=str(instance))
    assert len(first.secret_key) == 64 and first.secret_key == second.secret_key
    assert (instance / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("x", "too short (1 characters"),
        ("k" * 31, "too short (31 characters"),
        ("change-me-to-64-random-hex-characters", "placeholder"),
    ],
)
@pytest.mark.parametrize("where", ["environment", "settings"])
def test_a_weak_configured_secret_key_refuses_to_start_and_says_how_to_make_one(
    tmp_path, monkeypatch, key, problem, where
):
    from app import create_app
    from app.config import ConfigError

    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    if where == "environment":
        monkeypatch.setenv("SECRET_KEY", key)
    else:
        settings["SECRET_KEY"] = key
    with pytest.raises(ConfigError) as refusal:
        create_app(settings, instance_path=str(tmp_path / "instance"))
    assert problem in str(refusal.value)
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in str(refusal.value)
    assert (
        create_app(settings | {"SECRET_KEY": "k" * 32}, instance_path=str(tmp_path / "instance")).secret_key
        == "k" * 32
    )


@pytest.mark.own_app
def test_a_server_error_is_a_500_page_in_the_site_s_look(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("simulated failure")

    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "网上党校" in page and "simulated failure" not in page


@pytest.mark.own_app
def test_a_failed_database_write_still_gets_the_500_page_with_its_navigation(app, client, auth):
    """The page's own queries (navigation counters) must not fail on the broken transaction."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        make_user("member", (Role.MEMBER,), "甲党委/第一党支部")

    @app.get("/boom-in-a-write")
    def boom_in_a_write():
        db.session.add(User(username="member", display_name="duplicate", password_hash="x"))
        db.session.flush()  # the unique username is violated: the session now needs a rollback

    auth.login("member")
    response = client.get("/boom-in-a-write")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "网上党校" in page and 'data-testid="nav-notices"' in page
