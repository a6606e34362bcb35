"""The demo course's video clip: a test pattern generated with ffmpeg when missing.

The clip is a 4-second test pattern, generated rather than committed (git keeps source, not binaries
it can rebuild); the importer generates it before reading the demo folder, so `flask courses sync`
works on a fresh clone as well as `flask demo load` does. Kept apart from ``demo.py`` (which imports
the importer) so that the importer can call it without an import cycle.
"""

import shutil
import subprocess
from pathlib import Path

import yaml

from app.config import PROJECT_ROOT
from app.courses.errors import CourseError
from app.courses.folder import split_front_matter
from app.courses.models import LessonKind

DEMO_COURSE_FOLDER = "dangzhang-rumen"
# The copy shipped with the code; a site whose COURSES_DIR is elsewhere gets a copy of it there.
SHIPPED_DEMO_COURSE = PROJECT_ROOT / "courses" / DEMO_COURSE_FOLDER
CLIP_SECONDS = 4


def generate_clip(path: Path, seconds: int = CLIP_SECONDS) -> None:
    """Write a short test clip (colour bars and a tone) as H.264/AAC MP4 at ``path``."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RuntimeError("ffmpeg is not installed: `make run` installs Debian's ffmpeg")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial.mp4")
    # fmt: off
    command = [
        ffmpeg, "-nostdin", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=duration={seconds}:size=640x360:rate=25",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast",
        "-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart",
        str(partial),
    ]
    # fmt: on
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    partial.replace(path)  # a crash mid-way never leaves a half-written clip under the real name


def ensure_demo_videos(folder: Path) -> list[Path]:
    """Generate every video file the course's lessons name but the folder lacks; return them."""
    spec_paths = _video_paths(folder)
    created = []
    for relative in spec_paths:
        target = folder / relative
        if not target.exists():
            generate_clip(target)
            created.append(target)
    return created


def ensure_demo_clip(folder: Path) -> list[Path]:
    """Before a folder is imported: when it is the demo course (its course.yml says so), generate its
    clip if missing, so the repository's own courses/ imports as it is on a fresh clone. Any other
    course's missing video stays an error: only the demo's clip is a test pattern by design."""
    try:
        meta = yaml.safe_load((folder / "course.yml").read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []  # the parser reports what is wrong with the folder
    if not isinstance(meta, dict) or meta.get("slug") != DEMO_COURSE_FOLDER or shutil.which("ffmpeg") is None:
        return []
    try:
        return ensure_demo_videos(folder)
    except (yaml.YAMLError, CourseError):
        return []  # a broken lesson file: the parser names its file and line


def _video_paths(folder: Path) -> list[str]:
    # The parser refuses a folder whose video is missing, so read the front matter leniently here.
    paths = []
    for lesson_file in sorted(folder.glob("*/*.md")):
        front, _body = split_front_matter(lesson_file.read_text(encoding="utf-8"), lesson_file.name)
        meta = yaml.safe_load(front) or {}
        if meta.get("kind") == LessonKind.VIDEO.value and isinstance(meta.get("video"), str):
            paths.append(meta["video"])
    return paths
