"""Video operations: adding an upload, the transcoding job's body, retrying, requeueing, deleting."""

import logging
import os
import secrets
import shutil
import time
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db, rows_changed
from app.jobs import enqueue
from app.media import storage, usage
from app.media.ffmpeg_tools import (
    FfmpegError,
    ProbeError,
    ProbeResult,
    join_command,
    poster_command,
    probe_video,
    read_dimensions,
    rendition_heights,
    run_ffmpeg,
    transcode_command,
)
from app.media.models import Rendition, Video, VideoStatus
from app.timeutil import utcnow

log = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL = 1.0  # seconds between two progress writes of a running job
UNFINISHED = (VideoStatus.QUEUED, VideoStatus.PROCESSING)

PROBE_MESSAGES = {
    "not_video": _l(
        "This file is not a video we can read. An image, a web page or a text file renamed “.mp4” is "
        "not a video: upload an MP4, MOV, MKV, WebM, AVI, FLV, MPEG or WMV file."
    ),
    "playlist": _l("A playlist (.m3u8) only points to other files: upload the video file itself."),
    "no_video": _l("This file holds no moving picture (only sound or a still image)."),
    "bad_size": _l("The picture size of this video is not supported (16 to 8192 pixels per side)."),
    "too_short": _l("This video is too short (at least half a second)."),
    "too_long": _l("This video is too long (at most 12 hours)."),
    "timeout": _l("The file could not be checked in time; it may be damaged."),
}

FAILURE_REASONS = {
    "missing_source": _l("The uploaded file is missing from the media folder: upload it again."),
    "timeout": _l("Transcoding took longer than the time limit: the video may be too long or damaged."),
    "ffmpeg": _l("ffmpeg could not transcode this video: it may be damaged or use an unusual format."),
    "bad_output": _l(
        "The transcoded files could not be read back: retry, and report it if it happens again."
    ),
    "internal": _l("An unexpected error stopped the job: retry, and report it if it happens again."),
}


class MediaError(DomainError):
    pass


def failure_reason(video: Video) -> str | None:
    """Return the translated, readable reason a video's job failed (None unless it failed)."""
    if video.status is not VideoStatus.FAILED:
        return None
    return str(FAILURE_REASONS.get(video.error or "", FAILURE_REASONS["internal"]))


def _new_token() -> str:
    return secrets.token_hex(16)


def _safe_filename(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "video"
    return name[-255:]


def add_video(source: Path, original_filename: str, uploaded_by: User | None) -> tuple[Video, bool]:
    """Check the file at ``source`` with ffprobe and keep it by content hash, then queue its transcoding.

    Returns the video and whether it is new: the same bytes uploaded again give the existing video.
    ``source`` must lie under MEDIA_ROOT (it is moved, not copied); it is gone afterwards either way.
    """
    try:
        if source.stat().st_size == 0:
            raise MediaError(_("The file is empty."))
        try:
            probe = probe_video(source, current_app.config["MEDIA_PROBE_TIME_LIMIT"])
        except ProbeError as error:
            log.info("upload %r refused: %s", original_filename, error)
            raise MediaError(str(PROBE_MESSAGES[error.code])) from error
        sha256 = storage.file_sha256(source)
        existing = db.session.scalar(select(Video).where(Video.sha256 == sha256))
        if existing is not None:
            return existing, False
        filename = _safe_filename(original_filename)
        source_path = f"{storage.video_dir(sha256)}/original{probe.container_suffix}"
        destination = storage.absolute(source_path)
        destination.parent.mkdir(parents=True, exist_ok=True)
        size = source.stat().st_size
        os.replace(source, destination)
        video = Video(
            sha256=sha256,
            original_filename=filename,
            source_path=source_path,
            source_format=probe.format_name[:100],
            size_bytes=size,
            duration=probe.duration,
            width=probe.width,
            height=probe.height,
            status=VideoStatus.QUEUED,
            job_token=_new_token(),
            uploaded_by=uploaded_by,
        )
        db.session.add(video)
        try:
            db.session.commit()
        except IntegrityError:  # the same file, uploaded at the same moment by someone else
            db.session.rollback()
            return db.session.scalars(select(Video).where(Video.sha256 == sha256)).one(), False
    finally:
        source.unlink(missing_ok=True)
    _enqueue(video)
    return video, True


def import_video_file(path: Path, uploaded_by: User | None) -> tuple[Video, bool]:
    """Add a video from a file elsewhere on disk (course folders): copied, checked and kept like an upload."""
    spooled = storage.upload_dir() / f"import-{_new_token()}"
    try:
        shutil.copyfile(path, spooled)
    except OSError as error:
        spooled.unlink(missing_ok=True)
        raise MediaError(_("The file %(name)s cannot be read.", name=path.name)) from error
    return add_video(spooled, path.name, uploaded_by)


def import_joined_video(earlier: Video, then: Path, uploaded_by: User | None) -> tuple[Video, bool]:
    """Add the video made of ``earlier`` (a library video's original) followed by the file ``then``,
    kept and transcoded like an upload (a live lesson's replay grows this way when its encoder
    reconnected). Raises MediaError, leaving ``then`` in place, when either cannot be read or joined."""
    probe_limit = current_app.config["MEDIA_PROBE_TIME_LIMIT"]
    token = _new_token()
    spooled = storage.upload_dir() / f"joined-{token}.mkv"
    list_file = storage.upload_dir() / f"joined-{token}.txt"
    try:
        parts = [
            (path, probe_video(path, probe_limit)) for path in (storage.absolute(earlier.source_path), then)
        ]
        run_ffmpeg(
            join_command(parts, spooled, list_file), time_limit=current_app.config["TRANSCODE_TIME_LIMIT"]
        )
    except (ProbeError, FfmpegError, OSError) as error:
        spooled.unlink(missing_ok=True)
        log.warning("could not join video %s and %s: %s", earlier.id, then, error)
        raise MediaError(_("The file %(name)s cannot be read.", name=then.name)) from error
    finally:
        list_file.unlink(missing_ok=True)
    return add_video(spooled, then.name, uploaded_by)


def _enqueue(video: Video) -> None:
    try:
        enqueue("media.transcode_video", video.id, video.job_token)
    except Exception:
        # The video stays queued in the database; the worker queues it again when it starts.
        log.exception("could not queue video %s; it will be queued when the worker starts", video.id)


def retry_video(video: Video) -> None:
    """Queue a failed video's transcoding again."""
    if video.status is not VideoStatus.FAILED:
        raise MediaError(_("Only a video whose transcoding failed can be retried."))
    _requeue(video)
    db.session.commit()
    _enqueue(video)


def _requeue(video: Video) -> None:
    video.status = VideoStatus.QUEUED
    video.progress = 0
    video.error = video.error_detail = None
    video.finished_at = None
    video.job_token = _new_token()


def remove_leftover_work_folders() -> int:
    """Remove the ``.work-<token>/`` folders of jobs a killed worker cut off; return how many.

    Run when the worker starts, before any job: a running job's folder is its own, and the jobs cut
    off are queued again with new tokens (so new folders) right after.
    """
    leftovers = list((storage.media_root() / "videos").glob("*/*/.work-*"))
    for folder in leftovers:
        log.info("removing %s, left by a job that was cut off", folder)
        shutil.rmtree(folder, ignore_errors=True)
    return len(leftovers)


def requeue_unfinished_videos() -> int:
    """Queue again every job left queued or processing (cut off by a crash or restart); return how many.

    Each gets a new token, so a stale copy of the old queue entry finds nothing to do.
    """
    videos = list(db.session.scalars(select(Video).where(Video.status.in_(UNFINISHED)).order_by(Video.id)))
    for video in videos:
        _requeue(video)
    db.session.commit()
    for video in videos:
        _enqueue(video)
    return len(videos)


def delete_video(video: Video) -> None:
    """Delete a video and its files, unless a lesson uses it."""
    if usage.count_video_usages(video) > 0:
        raise MediaError(_("This video is used by a lesson and cannot be deleted."))
    folder = storage.absolute(storage.video_dir(video.sha256))
    db.session.delete(video)
    db.session.commit()
    shutil.rmtree(folder, ignore_errors=True)


def status_payload(video: Video) -> dict[str, object]:
    """The video's state as the library page and the status endpoint show it."""
    return {
        "id": video.id,
        "status": video.status.value,
        "progress": video.progress,
        "error": failure_reason(video),
        "duration": round(video.duration, 3) if video.duration is not None else None,
        "renditions": [rendition.label for rendition in video.renditions],
    }


# The transcoding job ----------------------------------------------------------------------------


def _mine(video_id: int, token: str) -> ColumnElement[bool]:
    return (Video.id == video_id) & (Video.job_token == token)


def _claim(video_id: int, token: str) -> bool:
    claimed = rows_changed(
        update(Video)
        .where(_mine(video_id, token), Video.status.in_(UNFINISHED))
        .values(
            status=VideoStatus.PROCESSING,
            progress=0,
            attempts=Video.attempts + 1,
            started_at=utcnow(),
            finished_at=None,
            error=None,
            error_detail=None,
        )
    )
    db.session.commit()
    return claimed == 1


def _fail(video_id: int, token: str, code: str, detail: str) -> None:
    db.session.rollback()
    db.session.execute(
        update(Video)
        .where(_mine(video_id, token))
        .values(status=VideoStatus.FAILED, error=code, error_detail=detail[:500], finished_at=utcnow())
    )
    db.session.commit()


class _ProgressWriter:
    """Write the job's percent in its own short transactions, at most once a second."""

    def __init__(self, video_id: int, token: str):
        self.video_id, self.token = video_id, token
        self.percent, self.written_at = 0, 0.0

    def __call__(self, fraction: float) -> None:
        percent = min(int(fraction * 100), 99)  # 100 is written with the results
        now = time.monotonic()
        if percent > self.percent and now - self.written_at >= PROGRESS_WRITE_INTERVAL:
            db.session.execute(update(Video).where(_mine(self.video_id, self.token)).values(progress=percent))
            db.session.commit()
            self.percent, self.written_at = percent, now


def run_transcode(video_id: int, token: str) -> bool:
    """The job: make the renditions and the poster, then record them; return whether it ran."""
    if not _claim(video_id, token):
        log.info("video %s: token %s is stale or the job is finished; nothing to do", video_id, token)
        return False
    video = db.session.get(Video, video_id)
    if video is None:  # deleted since the claim: nothing is left to transcode
        log.info("video %s was deleted before its job ran", video_id)
        return False
    folder = storage.absolute(storage.video_dir(video.sha256))
    work = folder / f".work-{token}"
    try:
        _transcode(video, token, folder, work)
    except (FfmpegError, ProbeError) as error:
        log.warning("video %s: transcoding failed: %s", video_id, error)
        _fail(video_id, token, error.code if error.code in FAILURE_REASONS else "ffmpeg", error.detail)
    except Exception as error:
        log.exception("video %s: the transcoding job broke", video_id)
        _fail(video_id, token, "internal", repr(error))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


def _transcode(video: Video, token: str, folder: Path, work: Path) -> None:
    deadline = time.monotonic() + current_app.config["TRANSCODE_TIME_LIMIT"]
    probe_limit = current_app.config["MEDIA_PROBE_TIME_LIMIT"]
    source = storage.absolute(video.source_path)
    if not source.is_file():
        raise FfmpegError("missing_source", video.source_path)
    probe: ProbeResult = probe_video(source, probe_limit)
    work.mkdir(parents=True, exist_ok=True)
    outputs = {height: work / f"{height}p.mp4" for height in rendition_heights(probe.height)}
    run_ffmpeg(
        transcode_command(source, probe, outputs),
        time_limit=_remaining(deadline),
        duration=probe.duration,
        on_progress=_ProgressWriter(video.id, token),
    )
    poster = work / "poster.jpg"
    run_ffmpeg(poster_command(source, probe, poster), time_limit=_remaining(deadline))
    if not poster.is_file() or poster.stat().st_size == 0:
        raise FfmpegError("bad_output", "no poster frame was written")
    measured = {height: read_dimensions(path, probe_limit) for height, path in outputs.items()}
    for path in [*outputs.values(), poster]:
        os.replace(path, folder / path.name)
    _record_results(video.id, token, folder, probe, measured)


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FfmpegError("timeout", "the time limit was spent before this step")
    return remaining


def _record_results(
    video_id: int, token: str, folder: Path, probe: ProbeResult, measured: dict[int, tuple[int, int, float]]
) -> None:
    relative = folder.relative_to(storage.media_root()).as_posix()
    top_height = max(measured)
    finished = rows_changed(
        update(Video)
        .where(_mine(video_id, token), Video.status == VideoStatus.PROCESSING)
        .values(
            status=VideoStatus.READY,
            progress=100,
            duration=measured[top_height][2],
            width=probe.width,
            height=probe.height,
            poster_path=f"{relative}/poster.jpg",
            finished_at=utcnow(),
        )
    )
    if finished != 1:  # requeued or deleted meanwhile: the newer job owns the results
        db.session.rollback()
        return
    db.session.execute(delete(Rendition).where(Rendition.video_id == video_id))
    for height, (width, real_height, _duration) in measured.items():
        path = f"{relative}/{height}p.mp4"
        db.session.add(
            Rendition(
                video_id=video_id,
                height=real_height,
                width=width,
                size_bytes=(folder / f"{height}p.mp4").stat().st_size,
                path=path,
            )
        )
    db.session.commit()
