"""`flask worker` killed with SIGKILL mid-transcode: its ffmpeg dies with it, the next worker cleans up.

Before, the orphaned ffmpeg ran on to the end (while the restarted worker transcoded the same video
again) and its ``.work-<token>/`` folder stayed on disk forever (issue 21, item 9). The real worker
runs in its own process with huey's SQLite queue and real ffmpeg on a generated clip long enough to
be caught transcoding.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.extensions import db
from app.media import services, storage
from app.media.models import Video, VideoStatus
from tests.factories.media import add_clip, make_clip
from tests.settings import TEST_SECRET_KEY

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {"HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3")}


def start_worker(app, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MEDIA_ROOT": app.config["MEDIA_ROOT"],
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "COURSES_DIR": app.config["COURSES_DIR"],
        "HUEY_SQLITE_PATH": app.config["HUEY_SQLITE_PATH"],
        "HUEY_IMMEDIATE": "0",
        "SECRET_KEY": TEST_SECRET_KEY,
    }
    env.pop("REDIS_URL", None)
    with log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def children_named(parent: int, name: str) -> list[int]:
    """Processes whose parent is ``parent`` and whose command is ``name`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if command == name and int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is alive and not a zombie (a killed orphan may wait to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_killed_worker_takes_its_ffmpeg_with_it_and_the_next_one_removes_the_work_folder(
    app, world, tmp_path
):
    clip = make_clip(tmp_path / "long.mp4", 1280, 720, seconds=12)  # several seconds of transcoding
    log_path = tmp_path / "worker.log"
    with app.app_context():
        video = add_clip(clip)  # queued in huey's SQLite queue: no worker yet
        video_id, folder = video.id, storage.absolute(storage.video_dir(video.sha256))

    worker = start_worker(app, log_path)
    try:
        [ffmpeg] = wait_for(lambda: children_named(worker.pid, "ffmpeg"), 60, "the worker's ffmpeg")
        work = wait_for(lambda: list(folder.glob(".work-*")), 10, "the job's work folder")[0]
        assert running(ffmpeg)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    # The kernel kills ffmpeg with its parent: it does not run on to the end.
    wait_for(lambda: not running(ffmpeg), 2, "ffmpeg to die with the killed worker")
    assert work.is_dir(), "the killed job leaves its work folder behind"
    with app.app_context():
        assert db.session.get(Video, video_id).status is VideoStatus.PROCESSING

    # The next worker removes the leftover, queues the job again and finishes it.
    worker = start_worker(app, log_path)
    try:
        with app.app_context():

            def ready():
                db.session.expire_all()
                return db.session.get(Video, video_id).status is VideoStatus.READY

            wait_for(ready, 180, "the restarted job to finish")
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
    assert not work.exists()
    assert not list(folder.glob(".work-*"))
    assert "remove_leftover_work_folders -> 1" in log_path.read_text()


def test_the_worker_start_removes_only_work_folders(app, world, tmp_path):
    with app.app_context():
        root = storage.media_root() / "videos" / "ab" / ("ab" * 32)
        (root / ".work-0123").mkdir(parents=True)
        (root / ".work-0123" / "720p.mp4").write_bytes(b"half written")
        (root / "720p.mp4").write_bytes(b"a finished rendition")
        assert services.remove_leftover_work_folders() == 1
        assert not (root / ".work-0123").exists()
        assert (root / "720p.mp4").read_bytes() == b"a finished rendition"
