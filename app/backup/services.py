"""`flask backup create/restore`: one folder holding the database, the media and a manifest.

Layout of a backup folder::

    manifest.json      format, app version, alembic revision, row counts, sha256 of every file
    database.sqlite3   (SQLite, made with the online backup API) or database.pgdump (pg_dump -Fc)
    media/...          a copy of MEDIA_ROOT

The search index is not kept: it is derived data, rebuilt from the restored database.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, text

from app.errors import DomainError
from app.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


@dataclass
class BackupSummary:
    path: Path
    revision: str
    counts: dict[str, int]
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _app_version() -> str:
    try:
        return metadata.version("party-school")
    except metadata.PackageNotFoundError:
        return "unknown"


def _database_revision() -> str:
    rows = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return ",".join(sorted(rows))


def _code_revision() -> str:
    return ",".join(sorted(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()))


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def _is_postgresql() -> bool:
    return db.engine.url.get_backend_name() == "postgresql"


def _pg_args() -> list[str]:
    """libpq connection arguments for pg_dump/pg_restore, from the app's own database URL."""
    url = db.engine.url
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432), "--dbname", _database()]
    if url.username:
        args += ["--username", url.username]
    return args


def _database() -> str:
    """The database the app's URL names: PostgreSQL's database or SQLite's file (the settings always
    name one; tune_sqlite and the tests never back up an in-memory database)."""
    name = db.engine.url.database
    assert name, "the database URL names no database"
    return name


def _pg_env() -> dict[str, str] | None:
    password = db.engine.url.password
    return {**os.environ, "PGPASSWORD": password} if password else None


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=_pg_env(), check=False)
    if result.returncode != 0:
        raise DomainError(_("%(command)s failed: %(error)s", command=command[0], error=result.stderr.strip()))


def _dump_database(folder: Path) -> str:
    if _is_postgresql():
        name = "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / name), *_pg_args()])
        return name
    name = "database.sqlite3"
    db.session.commit()
    # The online backup API copies a consistent snapshot while the site keeps running.
    source = sqlite3.connect(_database())
    target = sqlite3.connect(folder / name)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return name


def create_backup(destination: Path) -> BackupSummary:
    """Write a backup into ``destination`` (a new or empty folder)."""
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise DomainError(_("The backup folder %(path)s is not empty.", path=str(destination)))
    destination.mkdir(parents=True, exist_ok=True)
    revision = _database_revision()
    counts = _row_counts()
    database_file = _dump_database(destination)
    media_root = Path(current_app.config["MEDIA_ROOT"])
    if media_root.is_dir():
        # tmp/ holds uploads still being received: not part of the site's data.
        shutil.copytree(media_root, destination / "media", ignore=shutil.ignore_patterns("tmp"))
    else:
        (destination / "media").mkdir()
    files = {
        str(path.relative_to(destination)): _sha256(path)
        for path in sorted(destination.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": FORMAT,
        "app_version": _app_version(),
        "database": {"backend": db.engine.url.get_backend_name(), "file": database_file},
        "alembic_revision": revision,
        "counts": counts,
        "files": files,
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return BackupSummary(destination, revision, counts, len(files))


def _read_manifest(source: Path) -> dict[str, Any]:
    """Check the backup completely before anything is touched; return its manifest."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise DomainError(_("%(path)s is not a backup folder (no manifest.json).", path=str(source)))
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        files = manifest["files"]
        database = manifest["database"]
    except (ValueError, KeyError, TypeError):
        raise DomainError(_("The backup's manifest is unreadable.")) from None
    if manifest.get("format") != FORMAT:
        raise DomainError(_("The backup has an unknown format."))
    if database.get("backend") != db.engine.url.get_backend_name():
        raise DomainError(
            _(
                "The backup is of a %(backup)s database; this site uses %(site)s.",
                backup=database.get("backend"),
                site=db.engine.url.get_backend_name(),
            )
        )
    if manifest.get("alembic_revision") != _code_revision():
        raise DomainError(
            _(
                "The backup is at database revision %(backup)s; this code expects %(code)s. "
                "Restore it with the matching version of the application.",
                backup=manifest.get("alembic_revision"),
                code=_code_revision(),
            )
        )
    present = {
        str(path.relative_to(source))
        for path in source.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    if present != set(files) or database.get("file") not in files:
        raise DomainError(_("The backup's files do not match its manifest."))
    for name, checksum in files.items():
        if _sha256(source / name) != checksum:
            raise DomainError(_("The backup file %(name)s is corrupt (checksum mismatch).", name=name))
    return manifest


def _restore_database(source: Path, database_file: str) -> None:
    db.session.remove()
    db.engine.dispose()
    if _is_postgresql():
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", *_pg_args(), str(source / database_file)])
        return
    backup = sqlite3.connect(source / database_file)
    target = sqlite3.connect(_database())
    try:
        backup.backup(target)
    finally:
        target.close()
        backup.close()


def _restore_media(source: Path) -> None:
    media_root = Path(current_app.config["MEDIA_ROOT"])
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Copy next to the target, then swap: a failed copy leaves the old media in place.
    staging = Path(tempfile.mkdtemp(prefix=".media-restore-", dir=media_root.parent))
    shutil.copytree(source / "media", staging / "media")
    old = staging / "old"
    if media_root.exists():
        media_root.rename(old)
    (staging / "media").rename(media_root)
    shutil.rmtree(staging)


def restore_backup(source: Path) -> BackupSummary:
    """Replace the database and media with the backup's, then rebuild the search index."""
    from app.library import index

    source = Path(source)
    manifest = _read_manifest(source)
    _restore_database(source, manifest["database"]["file"])
    _restore_media(source)
    counts = _row_counts()
    if counts != manifest["counts"]:
        raise DomainError(_("The restored database's row counts differ from the backup's manifest."))
    index.rebuild()
    index.rebuild_resources()  # the pictures and videos have their own index folder
    return BackupSummary(source, manifest["alembic_revision"], counts, len(manifest["files"]))
