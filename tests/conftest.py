"""The app factory with a real database file (or PostgreSQL when TEST_DATABASE_URL is set)."""

import os
import re
from types import SimpleNamespace

import flask_migrate
import pytest
from sqlalchemy import MetaData

from app import create_app
from app.auth.models import Role
from app.extensions import db
from tests.factories import PASSWORD, make_user

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# The site refuses keys under 32 characters (app/config.py); child processes of tests use this one too.
TEST_SECRET_KEY = "test-secret-key-for-the-test-suite-only"


def pytest_report_header(config):
    return f"database: {TEST_DATABASE_URL or 'SQLite file (embedded)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('database') / 'party_school.sqlite3'}"


def make_config(database_url: str, tmp_path, **overrides) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        "COURSES_DIR": str(tmp_path / "courses"),
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # still scrypt, at a work factor tests can afford
        "RATELIMIT_LOGIN": "1000 per minute",  # tests sign in often from one address
        **overrides,
    }


def _drop_everything() -> None:
    """Drop every table in the test database, including ones another checkout's migrations made."""
    existing = MetaData()
    existing.reflect(bind=db.engine)
    existing.drop_all(bind=db.engine)


@pytest.fixture(scope="session")
def migrated_database(database_url, tmp_path_factory) -> str:
    """Build the schema once per run through the real migrations, as `flask db upgrade` does."""
    app = create_app(make_config(database_url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        _drop_everything()
        flask_migrate.upgrade(revision="heads")
        db.engine.dispose()
    return database_url


@pytest.fixture
def app_config() -> dict:
    """Per-test setting overrides; a test module can override this fixture."""
    return {}


@pytest.fixture
def app(migrated_database, tmp_path, app_config):
    app = create_app(
        make_config(migrated_database, tmp_path, **app_config), instance_path=str(tmp_path / "instance")
    )
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()  # each test's app has its own pool: close it rather than leak connections


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_PATTERN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """Read the CSRF token a page carries, as a browser would."""
    page = client.get(path, follow_redirects=True)
    match = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str = "member", password: str = PASSWORD, remember: bool = False, **extra):
        data = {"username": username, "password": password, "csrf_token": csrf_token(self._client), **extra}
        if remember:
            data["remember"] = "y"
        return self._client.post("/login", data=data)

    def logout(self):
        return self._client.post("/logout", data={"csrf_token": csrf_token(self._client, "/")})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def world(app) -> SimpleNamespace:
    """Two committees, each with branches, a secretary, members; an admin and a trainer."""
    with app.app_context():
        admin = make_user("admin", (Role.ADMIN,), unit_path=None, name="管理员")
        trainer = make_user("trainer", (Role.TRAINER, Role.MEMBER), "甲党委")
        sec_a = make_user(
            "sec_a", (Role.SECRETARY, Role.MEMBER), "甲党委/机关党总支/第一党支部", name="甲书记"
        )
        member_a = make_user("member_a", (Role.MEMBER,), "甲党委/机关党总支/第一党支部", name="甲党员")
        member_a2 = make_user("member_a2", (Role.MEMBER,), "甲党委/机关党总支/第二党支部", name="甲二党员")
        sec_b = make_user("sec_b", (Role.SECRETARY, Role.MEMBER), "乙党委/第一党支部", name="乙书记")
        member_b = make_user("member_b", (Role.MEMBER,), "乙党委/第一党支部", name="乙党员")
        return SimpleNamespace(
            admin=admin.id,
            trainer=trainer.id,
            sec_a=sec_a.id,
            member_a=member_a.id,
            member_a2=member_a2.id,
            sec_b=sec_b.id,
            member_b=member_b.id,
            unit_a1=sec_a.unit_id,
            unit_a2=member_a2.unit_id,
            unit_a=sec_a.unit.parent_id,
            committee_a=sec_a.unit.parent.parent_id,
            unit_b1=sec_b.unit_id,
            committee_b=sec_b.unit.parent_id,
        )
