"""The transcoding job: progress, readable failures, retry, and re-running jobs a crash cut off."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import select, update

from app.extensions import db
from app.jobs import huey, init_jobs, run_startup_hooks
from app.media import ffmpeg_tools, services
from app.media.jobs import transcode_video
from app.media.models import Video, VideoStatus
from tests.factories.media import add_clip, ffprobe
from tests.settings import TEST_SECRET_KEY
from tests.web import csrf_token

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _reload(video_id: int) -> Video:
    db.session.expire_all()
    return db.session.get(Video, video_id)


def test_ffmpeg_reports_progress_up_to_the_end(clips, tmp_path):
    probe = ffmpeg_tools.probe_video(clips["240p"], 10)
    fractions = []
    command = ffmpeg_tools.transcode_command(clips["240p"], probe, {240: tmp_path / "240p.mp4"})
    ffmpeg_tools.run_ffmpeg(command, time_limit=60, duration=probe.duration, on_progress=fractions.append)
    assert fractions == sorted(fractions)
    assert fractions[-1] == pytest.approx(1.0, abs=0.05)


def test_the_job_writes_its_percent_while_it_runs(app, world, clips, monkeypatch):
    seen = []
    real_run = services.run_ffmpeg

    def watching_run(args, time_limit, duration=None, on_progress=None):
        def record(fraction):
            on_progress(fraction)
            seen.append(db.session.execute(select(Video.status, Video.progress)).one())

        return real_run(args, time_limit, duration, record if on_progress else None)

    monkeypatch.setattr(services, "PROGRESS_WRITE_INTERVAL", 0)
    monkeypatch.setattr(services, "run_ffmpeg", watching_run)
    with app.app_context():
        video = add_clip(clips["360p"])
        assert seen and {status for status, _ in seen} == {VideoStatus.PROCESSING}
        assert max(progress for _, progress in seen) >= 50
        assert all(progress <= 99 for _, progress in seen)
        assert (_reload(video.id).status, _reload(video.id).progress) == (VideoStatus.READY, 100)


def test_a_job_over_the_time_limit_fails_with_a_readable_reason_and_can_be_retried(
    app, world, client, auth, clips
):
    app.config["TRANSCODE_TIME_LIMIT"] = 0.01
    with app.app_context():
        video = add_clip(clips["360p"])
        video = _reload(video.id)
        assert (video.status, video.error) == (VideoStatus.FAILED, "timeout")
        assert services.failure_reason(video)
        assert not list(Path(app.config["MEDIA_ROOT"], "videos").rglob(".work-*")), "no leftovers"
    auth.login("trainer")
    assert f"/media/videos/{video.id}/retry" in client.get(f"/media/videos/{video.id}").get_data(as_text=True)
    app.config["TRANSCODE_TIME_LIMIT"] = 600
    token = csrf_token(client, f"/media/videos/{video.id}")
    client.post(f"/media/videos/{video.id}/retry", data={"csrf_token": token})
    with app.app_context():
        video = _reload(video.id)
        assert (video.status, video.error, video.attempts) == (VideoStatus.READY, None, 2)
        assert [rendition.height for rendition in video.renditions] == [360]


def test_a_damaged_source_fails_with_ffmpegs_words_kept_for_the_log(app, world, clips):
    with app.app_context():
        video = add_clip(clips["240p"])
        source = Path(app.config["MEDIA_ROOT"]) / video.source_path
        data = source.read_bytes()
        moov = data.index(b"moov")
        source.write_bytes(data[: moov + 200] + bytes(len(data) - moov - 200))  # the index, zeroed
        db.session.execute(update(Video).values(status=VideoStatus.FAILED))
        db.session.commit()
        services.retry_video(_reload(video.id))
        video = _reload(video.id)
        assert video.status is VideoStatus.FAILED
        assert video.error in {"ffmpeg", "bad_output"}
        assert services.failure_reason(video)


def test_a_missing_source_file_fails_readably(app, world, clips):
    with app.app_context():
        video = add_clip(clips["240p"])
        (Path(app.config["MEDIA_ROOT"]) / video.source_path).unlink()
        db.session.execute(update(Video).values(status=VideoStatus.FAILED))
        db.session.commit()
        services.retry_video(_reload(video.id))
        assert _reload(video.id).error == "missing_source"


def test_only_a_failed_video_can_be_retried(app, world, clips):
    with app.app_context():
        video = add_clip(clips["240p"])
        with pytest.raises(services.MediaError):
            services.retry_video(_reload(video.id))


def test_a_job_cut_off_by_a_crash_is_run_again_when_the_worker_starts(app, world, clips, monkeypatch):
    with app.app_context():
        monkeypatch.setattr(services, "_enqueue", lambda video: None)  # the queue entry is lost
        video = add_clip(clips["240p"])
        monkeypatch.undo()
        stale_token = video.job_token
        # What a crash mid-job leaves: the record says processing, a half-written work folder.
        db.session.execute(update(Video).values(status=VideoStatus.PROCESSING, progress=37, attempts=1))
        db.session.commit()
        work = (
            Path(app.config["MEDIA_ROOT"]) / f"videos/{video.sha256[:2]}/{video.sha256}/.work-{stale_token}"
        )
        work.mkdir(parents=True)
        (work / "240p.mp4").write_bytes(b"half a file")

        run_startup_hooks()

        video = _reload(video.id)
        assert (video.status, video.progress, video.attempts) == (VideoStatus.READY, 100, 2)
        assert video.job_token != stale_token
        assert ffprobe(Path(app.config["MEDIA_ROOT"]) / video.rendition(240).path)["streams"]
        # The old queue entry, delivered late, finds its token stale and changes nothing.
        transcode_video(video.id, stale_token)
        assert (_reload(video.id).status, _reload(video.id).attempts) == (VideoStatus.READY, 2)


def test_the_worker_start_leaves_finished_jobs_alone(app, world, clips):
    with app.app_context():
        video = add_clip(clips["240p"])
        run_startup_hooks()
        assert _reload(video.id).attempts == 1


class TestRealWorker:
    """`flask worker` in its own process, with huey's SQLite queue, as `make run` starts it."""

    @pytest.fixture
    def app_config(self, tmp_path):
        return {"HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3")}

    def _start_worker(self, app, log) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "MEDIA_ROOT": app.config["MEDIA_ROOT"],
            # The worker checks the search index when it starts: the test's own, never the project's.
            "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
            "COURSES_DIR": app.config["COURSES_DIR"],
            "HUEY_SQLITE_PATH": app.config["HUEY_SQLITE_PATH"],
            "HUEY_IMMEDIATE": "0",
            "SECRET_KEY": TEST_SECRET_KEY,
        }
        env.pop("REDIS_URL", None)
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _wait_for(self, video_id: int, status: VideoStatus, seconds: float = 60) -> Video:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            video = _reload(video_id)
            if video.status is status:
                return video
            time.sleep(0.2)
        raise AssertionError(f"video {video_id} is {video.status}, not {status}")

    @pytest.mark.slow
    def test_the_worker_transcodes_queued_videos_and_reruns_one_a_crash_cut_off(
        self, app, world, clips, tmp_path
    ):
        with app.app_context():
            queued = add_clip(clips["240p"])
            assert _reload(queued.id).status is VideoStatus.QUEUED  # waiting in huey's SQLite queue
            crashed = add_clip(clips["silent"])
            db.session.execute(
                update(Video).where(Video.id == crashed.id).values(status=VideoStatus.PROCESSING, progress=40)
            )
            db.session.commit()
            with (tmp_path / "worker.log").open("wb") as log:
                worker = self._start_worker(app, log)
                try:
                    for video_id in (queued.id, crashed.id):
                        video = self._wait_for(video_id, VideoStatus.READY)
                        assert video.renditions and video.poster_path
                finally:
                    worker.send_signal(signal.SIGINT)
                    worker.wait(timeout=30)
            assert worker.returncode == 0, (tmp_path / "worker.log").read_text()


def test_the_queue_lives_in_redis_when_redis_url_is_set_else_in_an_sqlite_file(app, tmp_path):
    def configured(**settings):
        stub = Flask("stub")
        stub.config.update(HUEY_IMMEDIATE=False, HUEY_SQLITE_PATH=str(tmp_path / "queue.sqlite3"), **settings)
        init_jobs(stub)
        return huey.storage, huey.immediate

    try:
        storage, immediate = configured(REDIS_URL="redis://127.0.0.1:6399/0")  # connects lazily
        assert isinstance(storage, RedisStorage) and not immediate
        storage, immediate = configured(REDIS_URL=None)
        assert isinstance(storage, SqliteStorage) and storage.filename == str(tmp_path / "queue.sqlite3")
    finally:
        init_jobs(app)  # back to the test app's immediate mode
    assert huey.immediate


def test_a_video_deleted_after_its_job_claimed_it_ends_the_job_quietly(app, monkeypatch):
    monkeypatch.setattr(services, "_claim", lambda video_id, token: True)
    with app.app_context():
        assert services.run_transcode(987654, "claimed-then-deleted") is False
