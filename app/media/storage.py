"""Where media files live: MEDIA_ROOT/videos/<sha[:2]>/<sha>/ by content hash, uploads in MEDIA_ROOT/tmp."""

import hashlib
from pathlib import Path

from flask import current_app

CHUNK_SIZE = 1024 * 1024


def media_root() -> Path:
    return Path(current_app.config["MEDIA_ROOT"])


def video_dir(sha256: str) -> str:
    """The folder of one video's files, relative to MEDIA_ROOT."""
    return f"videos/{sha256[:2]}/{sha256}"


def absolute(relative_path: str) -> Path:
    return media_root() / relative_path


def upload_dir() -> Path:
    """Uploads are spooled here, on the same file system as their final place (a rename, not a copy)."""
    path = media_root() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()
