"""`flask backup create/restore`: a restore onto a fresh instance serves the same data."""

import json
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import func, select

from app import create_app
from app.auth.models import User
from app.extensions import db
from tests.settings import make_config


def _sqlite_app(folder: Path, migrate: bool):
    folder.mkdir(parents=True)
    app = create_app(
        make_config(f"sqlite:///{folder / 'site.sqlite3'}", folder), instance_path=str(folder / "instance")
    )
    if migrate:
        with app.app_context():
            flask_migrate.upgrade(revision="heads")
    return app


@pytest.fixture
def source_backup(tmp_path):
    """A site with the demo content (users, course, library, progress ledger) and a media file, backed up."""
    app = _sqlite_app(tmp_path / "old", migrate=True)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    video = Path(app.config["MEDIA_ROOT"]) / "videos" / "ab" / "abc" / "720p.mp4"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" * 1000)
    result = runner.invoke(args=["backup", "create", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        users = db.session.scalars(select(User.username).order_by(User.username)).all()
        db.engine.dispose()
    return tmp_path / "backup", users, video.read_bytes()


def test_restore_on_a_new_machine_serves_the_same_data(tmp_path, source_backup):
    backup, users, video_bytes = source_backup
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["counts"]["users"] == len(users)
    counts = manifest["counts"]
    assert counts["courses"] >= 1 and counts["library_documents"] >= 1 and counts["hour_entries"] >= 1

    fresh = _sqlite_app(tmp_path / "new", migrate=False)  # an empty database file, no media, no index
    runner = fresh.test_cli_runner()
    result = runner.invoke(args=["backup", "restore", str(backup)])
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        assert db.session.scalars(select(User.username).order_by(User.username)).all() == users
        db.engine.dispose()
    restored = Path(fresh.config["MEDIA_ROOT"]) / "videos" / "ab" / "abc" / "720p.mp4"
    assert restored.read_bytes() == video_bytes
    # The search index was rebuilt from the restored database.
    search = runner.invoke(args=["library", "search", "党", "--json"])
    assert search.exit_code == 0, search.output
    assert json.loads(search.output)["total"] > 0
    assert fresh.test_client().get("/login").status_code == 200
    with fresh.app_context():
        db.engine.dispose()


def test_a_corrupt_backup_is_refused_and_nothing_changes(tmp_path, source_backup):
    backup, _users, _video = source_backup
    target = _sqlite_app(tmp_path / "target", migrate=True)
    (Path(target.config["MEDIA_ROOT"])).mkdir(parents=True)
    keep = Path(target.config["MEDIA_ROOT"]) / "keep.txt"
    keep.write_text("mine")
    media_file = next((backup / "media").rglob("*.mp4"))
    media_file.write_bytes(media_file.read_bytes()[:-1])
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    assert result.exit_code == 1
    assert str(media_file.relative_to(backup)) in result.output  # names the corrupt file
    with target.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.engine.dispose()
    assert keep.read_text() == "mine"


def test_a_backup_from_another_schema_revision_is_refused(tmp_path, source_backup):
    backup, _users, _video = source_backup
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["alembic_revision"] = "000000000000"
    (backup / "manifest.json").write_text(json.dumps(manifest))
    target = _sqlite_app(tmp_path / "target", migrate=True)
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    assert result.exit_code == 1
    assert "000000000000" in result.output


def test_backup_into_a_non_empty_folder_is_refused(tmp_path):
    app = _sqlite_app(tmp_path / "site", migrate=True)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "full")])
    assert result.exit_code == 1
    assert str(tmp_path / "full") in result.output
    with app.app_context():
        db.engine.dispose()
