"""The app factory with a real database file (or PostgreSQL when TEST_DATABASE_URL is set), and the
live server and Chromium page of the browser journeys."""

import copy
import socket
from collections.abc import Iterator
from types import SimpleNamespace

import flask_migrate
import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlalchemy import MetaData, Table, exists, select

from app import create_app
from app.auth.models import Role
from app.config import load_config
from app.extensions import db, limiter
from app.jobs import init_jobs
from app.timeutil import utcnow
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT, TIMEOUT_MS
from tests.factories.auth import make_user
from tests.factories.reports import Mailbox
from tests.settings import TEST_DATABASE_URL, make_config
from tests.web import AuthActions, served


def pytest_report_header(config):
    return f"database: {TEST_DATABASE_URL or 'SQLite file (embedded)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('database') / 'party_school.sqlite3'}"


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


# Building an app compiles every URL rule (about 0.1 s, more on a busy machine): one app is built per
# distinct set of overrides and reused, and each test gets that app reset to its own settings.
_apps: dict[str, tuple[Flask, dict]] = {}


def _frozen(overrides: dict, tmp_path) -> str:
    """The cache key of a test's overrides, with the test's own tmp_path left out."""
    return repr(
        sorted((key, repr(value).replace(str(tmp_path), "<tmp_path>")) for key, value in overrides.items())
    )


def _app_for_test(database_url: str, tmp_path, overrides: dict, own: bool = False) -> Flask:
    """Return the cached app for ``overrides``, set to this test's folders and settings as if just built.

    The settings are read afresh (``load_config``) over the ones the app had when built, so a value a
    test changed in ``app.config`` does not leak into the next test; the job queue and the rate
    limiter's counters start empty, as they would in a new app.
    """
    config = make_config(database_url, tmp_path, **overrides)
    instance_path = tmp_path / "instance"
    if own:  # the test adds routes: Flask refuses them once an app has served a request
        return create_app(config, instance_path=str(instance_path))
    key = _frozen(overrides, tmp_path)
    if key not in _apps:
        app = create_app(config, instance_path=str(instance_path))
        _apps[key] = (app, copy.deepcopy(dict(app.config)))
        return app
    app, built_config = _apps[key]
    app.instance_path = str(instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.clear()
    app.config.update(copy.deepcopy(built_config))
    app.config.update(load_config(instance_path, config))
    init_jobs(app)
    limiter.reset()  # the rate limiter's counters start at zero, as in a new app
    return app


@pytest.fixture
def app(request, migrated_database, tmp_path, app_config):
    own = request.node.get_closest_marker("own_app") is not None
    app = _app_for_test(migrated_database, tmp_path, app_config, own=own)
    rules = len(app.url_map._rules)
    yield app
    # A route added to a shared app would serve every later test: such a test is marked own_app.
    assert own or len(app.url_map._rules) == rules, "a test added routes to the shared app: mark it own_app"
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        # A shared app keeps its SQLite connections for the next test (closing the last one
        # checkpoints the WAL file, about 30 ms); a server's connections are closed, as they may
        # hold prepared statements for tables a test dropped and made again (test_migrations.py).
        if own or db.engine.dialect.name != "sqlite":
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


def _build_world() -> SimpleNamespace:
    """Two committees, each with branches, a secretary, members; an admin and a trainer."""
    admin = make_user("admin", (Role.ADMIN,), unit_path=None, name="管理员")
    trainer = make_user("trainer", (Role.TRAINER, Role.MEMBER), "甲党委")
    sec_a = make_user("sec_a", (Role.SECRETARY, Role.MEMBER), "甲党委/机关党总支/第一党支部", name="甲书记")
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


# The world's rows, keyed by database and UTC hour (membership dates are the day's: a day changes on
# an hour boundary in every whole-hour time zone), copied back for each later test that asks.
_worlds: dict[tuple[str, str], tuple[SimpleNamespace, list[tuple[Table, list[dict]]]]] = {}


def _empty(connection, tables) -> bool:
    return not any(connection.execute(select(exists().select_from(table))).scalar() for table in tables)


@pytest.fixture
def world(app) -> SimpleNamespace:
    """Two committees, each with branches, a secretary, members; an admin and a trainer.

    Built through the real services the first time; a later test on an empty database gets the same
    rows copied back (0.2 s of service calls and password hashing saved per test).
    """
    with app.app_context():
        key = (str(db.engine.url), utcnow().strftime("%Y-%m-%d %H"))
        if key in _worlds:
            ids, rows = _worlds[key]
            with db.engine.begin() as connection:
                if _empty(connection, [table for table, _ in rows]):
                    for table, table_rows in rows:
                        connection.execute(table.insert(), table_rows)
                    return SimpleNamespace(**vars(ids))
        with db.engine.connect() as connection:
            empty_before = _empty(connection, db.metadata.sorted_tables)
        ids = _build_world()
        db.session.remove()
        if empty_before:
            with db.engine.connect() as connection:
                rows = [
                    (table, [dict(row._mapping) for row in connection.execute(select(table))])
                    for table in db.metadata.sorted_tables
                ]
            _worlds[key] = (ids, [(table, table_rows) for table, table_rows in rows if table_rows])
        return SimpleNamespace(**vars(ids))


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    """A real SMTP server (aiosmtpd) on a free local port, and what it received."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    return smtp_server[1]


@pytest.fixture
def live_server(app, world) -> Iterator[str]:
    """Serve the test app (with the ``world`` accounts) on 127.0.0.1 and yield its base URL."""
    with served(app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, started at the first browser journey and kept for the rest of the run.

    While it runs, this thread counts as inside its event loop (a second ``sync_playwright`` would be
    refused), so every Chromium of the run is launched through this one.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (`make browser` does)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright) -> Iterator[Browser]:
    """One Chromium for the run's journeys: launching it takes a second or two on a busy machine;
    each test gets a context of its own (its own cookies, storage and cache, like a new browser)."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def browser_page(chromium) -> Iterator[Page]:
    """A fresh, phone-sized Chromium page; fails (not skips) when Chromium is not installed."""
    context = chromium.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
