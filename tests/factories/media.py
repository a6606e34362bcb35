"""Real clips made by ffmpeg (testsrc2 + sine), and builders for videos in each state.

Jobs run in huey's immediate mode here (the app factory's default under TESTING): an upload is
transcoded before its request returns.
"""

import json
import shutil
import subprocess
from pathlib import Path

from app.extensions import db
from app.media import services, storage
from app.media.models import Rendition, Video, VideoStatus
from devtools.clips import make_clip  # noqa: F401 -- the tests' clips come from here
from tests.factories.auth import user_named
from tests.web import csrf_token


def ffprobe(path: Path) -> dict:
    """Read a file's streams and format with ffprobe, as a test's independent check."""
    output = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout
    return json.loads(output)


def multipart_body(
    token: str, filename: str, content: bytes, boundary: str = "----media-test"
) -> tuple[bytes, str]:
    """Encode the upload form as a browser does (the token first); return the body and content type."""
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client, path: Path, filename: str | None = None, token: str | None = None, **options):
    """Post ``path`` through the library's upload form, as a browser does."""
    token = token if token is not None else csrf_token(client, "/media/videos")
    body, content_type = multipart_body(token, filename or path.name, path.read_bytes())
    return client.post("/media/videos", data=body, content_type=content_type, **options)


def add_clip(clip: Path, username: str = "trainer") -> Video:
    """Add a copy of ``clip`` as ``username``'s upload (transcoded at once, in immediate mode)."""
    spooled = storage.upload_dir() / f"fixture-{clip.name}"
    shutil.copyfile(clip, spooled)
    user = user_named(username)
    video, _created = services.add_video(spooled, clip.name, user)
    return video


def make_ready_video(content: bytes = bytes(range(256)) * 40, height: int = 360, **overrides) -> Video:
    """A ready video whose rendition holds ``content`` (no transcoding: for streaming tests).

    Uploaded by the test's ``trainer`` when there is one (only they and admins may change it).
    """
    sha = overrides.pop("sha256", "ab" * 32)
    folder = storage.video_dir(sha)
    storage.absolute(folder).mkdir(parents=True, exist_ok=True)
    storage.absolute(f"{folder}/{height}p.mp4").write_bytes(content)
    storage.absolute(f"{folder}/poster.jpg").write_bytes(b"\xff\xd8\xff\xe0 poster \xff\xd9")
    fields = {
        "sha256": sha,
        "original_filename": "lesson.mp4",
        "source_path": f"{folder}/original.mp4",
        "source_format": "mov,mp4,m4a,3gp,3g2,mj2",
        "size_bytes": len(content),
        "status": VideoStatus.READY,
        "progress": 100,
        "duration": 2.0,
        "width": height * 16 // 9,
        "height": height,
        "poster_path": f"{folder}/poster.jpg",
        "uploaded_by": user_named("trainer"),
    }
    video = Video(**{**fields, **overrides})
    video.renditions.append(
        Rendition(
            height=height, width=height * 16 // 9, size_bytes=len(content), path=f"{folder}/{height}p.mp4"
        )
    )
    db.session.add(video)
    db.session.commit()
    return video


def media_files(app) -> list[Path]:
    """Every file kept under MEDIA_ROOT (spooled uploads included)."""
    root = Path(app.config["MEDIA_ROOT"])
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
