"""`flask backup create/restore` on PostgreSQL (pg_dump/pg_restore): a restore into a new, empty
database serves the same data. Skipped, saying so, when no PostgreSQL answers on 127.0.0.1."""

import os
import uuid
from pathlib import Path

import flask_migrate
import psycopg
import pytest
from sqlalchemy import select

from app import create_app
from app.auth.models import User
from app.courses.models import Course
from app.extensions import db
from app.progress.models import HourEntry
from tests.settings import make_config

SERVER = os.environ.get("TEST_PG_SERVER", "postgresql://postgres@127.0.0.1:5432/test")


def _admin(statement: str) -> None:
    with psycopg.connect(SERVER, autocommit=True, connect_timeout=3) as connection:
        connection.execute(statement)


@pytest.fixture
def databases():
    """Two new, empty PostgreSQL databases (dropped afterwards), as SQLAlchemy URLs."""
    try:
        _admin("SELECT 1")
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL answers at {SERVER}: {error}")
    names = [f"backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "restored")]
    for name in names:
        _admin(f'CREATE DATABASE "{name}"')
    yield [
        SERVER.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{n}" for n in names
    ]
    for name in names:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _app(url: str, folder: Path):
    folder.mkdir(parents=True)
    return create_app(make_config(url, folder), instance_path=str(folder / "instance"))


def _figures() -> tuple[list[str], list[str], int]:
    users = db.session.scalars(select(User.username).order_by(User.username)).all()
    courses = db.session.scalars(select(Course.slug).order_by(Course.slug)).all()
    return users, courses, len(db.session.scalars(select(HourEntry.id)).all())


@pytest.mark.slow
@pytest.mark.production
def test_a_postgresql_backup_restores_into_a_new_database(tmp_path, databases):
    source_url, restored_url = databases
    source = _app(source_url, tmp_path / "source")
    with source.app_context():
        flask_migrate.upgrade(revision="heads")
    runner = source.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    result = runner.invoke(args=["backup", "create", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "backup" / "database.pgdump").is_file()
    with source.app_context():
        expected = _figures()
        db.session.remove()
        db.engine.dispose()

    restored = _app(restored_url, tmp_path / "restored")  # an empty database: no schema at all
    result = restored.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    with restored.app_context():
        assert _figures() == expected
        assert expected[2] > 0  # the demo year's ledger came across
        db.session.remove()
        db.engine.dispose()
    client = restored.test_client()
    assert client.get("/login").status_code == 200
