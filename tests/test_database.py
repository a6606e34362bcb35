"""The embedded SQLite file is set up for a web server and a job worker sharing it."""

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.settings import TEST_DATABASE_URL, make_config

pytestmark = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite settings: the SQLite leg only")

NORMAL = 1  # PRAGMA synchronous answers a number


def pragmas(app) -> tuple[str, int]:
    with app.app_context():
        journal = db.session.execute(text("PRAGMA journal_mode")).scalar_one()
        synchronous = db.session.execute(text("PRAGMA synchronous")).scalar_one()
        db.session.remove()
    return journal, synchronous


def test_the_sqlite_file_is_in_wal_mode_without_an_fsync_per_commit(app):
    assert pragmas(app) == ("wal", NORMAL)


def test_a_committee_can_ask_for_an_fsync_per_commit(migrated_database, tmp_path):
    app = create_app(make_config(migrated_database, tmp_path, SQLITE_SYNCHRONOUS="FULL"))
    assert pragmas(app) == ("wal", 2)


def test_an_unknown_synchronous_level_stops_the_start_with_a_clear_message(migrated_database, tmp_path):
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA"):
        create_app(make_config(migrated_database, tmp_path, SQLITE_SYNCHRONOUS="NORMAL; DROP TABLE users"))
