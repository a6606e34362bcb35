"""Time the transcoding job against the same ffmpeg commands run bare; target: overhead within 10%.

    .venv/bin/python benchmarks/transcode.py [--seconds 60] [--repeat 2]

A 720p clip (testsrc2 + sine) is generated, added as a video (checked by ffprobe, stored by content
hash) and its job queued in huey's SQLite storage. Each round then runs, in alternating order:
- bare: the job's own ffmpeg commands (both renditions in one run, then the poster) via subprocess;
- job: the queued task taken from huey and executed as the worker does: claim, probe, ffmpeg with
  progress parsing and percent writes, poster, reading the outputs back, recording the results.
The best time of each is compared. The figures replace this benchmark's section of docs/benchmarks.md.
"""

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import flask_migrate
from sqlalchemy import update

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.jobs import huey  # noqa: E402
from app.media import ffmpeg_tools, services, storage  # noqa: E402
from app.media.models import Video, VideoStatus  # noqa: E402
from benchmarks._report import BENCHMARK_SECRET_KEY, BENCHMARKS_DOC, write_section  # noqa: E402
from devtools.clips import make_clip  # noqa: E402

NAME = "transcode"
TARGET_OVERHEAD = 0.10


def cpu_seconds() -> float:
    """CPU time of this process and of every child it has waited for (ffmpeg, ffprobe)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_bare(source: Path, work: Path) -> tuple[float, float]:
    """The job's ffmpeg commands, exactly as it builds them, run without the job around them."""
    probe = ffmpeg_tools.probe_video(source, 60)
    work.mkdir(parents=True, exist_ok=True)
    outputs = {height: work / f"{height}p.mp4" for height in ffmpeg_tools.rendition_heights(probe.height)}
    commands = [
        ffmpeg_tools.transcode_command(source, probe, outputs),
        ffmpeg_tools.poster_command(source, probe, work / "poster.jpg"),
    ]
    started, cpu_started = time.perf_counter(), cpu_seconds()
    for command in commands:
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    shutil.rmtree(work)
    return elapsed, cpu


def run_job(video_id: int) -> tuple[float, float]:
    """Queue the video's job again and execute it as the worker does."""
    video = db.session.get(Video, video_id)
    db.session.execute(update(Video).where(Video.id == video_id).values(status=VideoStatus.FAILED))
    db.session.commit()
    services.retry_video(video)  # a new token, queued in huey's SQLite storage
    task = huey.dequeue()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    huey.execute(task)
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    db.session.expire_all()
    video = db.session.get(Video, video_id)
    assert video.status is VideoStatus.READY, (video.status, video.error, video.error_detail)
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the generated 720p clip")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of bare + job")
    parser.add_argument("--no-write", action="store_true", help="print the figures only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="transcode-bench-") as folder:
        folder = Path(folder)
        clip = folder / "clip720.mp4"
        make_clip(clip, 1280, 720, seconds=args.seconds)
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
                "SECRET_KEY": BENCHMARK_SECRET_KEY,
                "MEDIA_ROOT": str(folder / "media"),
                "REDIS_URL": None,
                "HUEY_IMMEDIATE": False,
                "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3"),
            },
            instance_path=str(folder / "instance"),
        )
        with app.app_context():
            flask_migrate.upgrade(revision="heads")
            spooled = storage.upload_dir() / "clip720.mp4"
            shutil.copyfile(clip, spooled)
            video, _created = services.add_video(spooled, "clip720.mp4", None)
            huey.flush()  # the upload's own queue entry: each round queues its own
            source = storage.absolute(video.source_path)
            bare_times, job_times = [], []
            for round_number in range(args.repeat):
                order = ("bare", "job") if round_number % 2 == 0 else ("job", "bare")
                for kind in order:
                    if kind == "bare":
                        bare_times.append(run_bare(source, folder / "bare"))
                    else:
                        job_times.append(run_job(video.id))
                (bare_wall, bare_cpu), (job_wall, job_cpu) = bare_times[-1], job_times[-1]
                print(
                    f"round {round_number + 1}: bare {bare_wall:.2f} s (CPU {bare_cpu:.2f} s), "
                    f"job {job_wall:.2f} s (CPU {job_cpu:.2f} s)"
                )
            video = db.session.get(Video, video.id)
            renditions = ", ".join(rendition.label for rendition in video.renditions)
            db.engine.dispose()

    bare_wall, job_wall = min(wall for wall, _ in bare_times), min(wall for wall, _ in job_times)
    bare_cpu, job_cpu = min(cpu for _, cpu in bare_times), min(cpu for _, cpu in job_times)
    cpu_overhead, wall_overhead = job_cpu / bare_cpu - 1, job_wall / bare_wall - 1
    met = cpu_overhead <= TARGET_OVERHEAD
    verdict = "met" if met else "NOT met"
    ffmpeg_version = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout
    ffmpeg_version = ffmpeg_version.split(" Copyright")[0]
    print(
        f"CPU: bare {bare_cpu:.2f} s, job {job_cpu:.2f} s, overhead {cpu_overhead:+.1%}; "
        f"wall: bare {bare_wall:.2f} s, job {job_wall:.2f} s, overhead {wall_overhead:+.1%} "
        f"(target within {TARGET_OVERHEAD:.0%}: {verdict})"
    )

    def rounds(times: list[tuple[float, float]]) -> str:
        return "; ".join(f"{wall:.2f} s (CPU {cpu:.2f} s)" for wall, cpu in times)

    body = f"""
## Transcoding job overhead (`benchmarks/transcode.py`)

- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {os.cpu_count()} cores, {platform.platform()},
  Python {platform.python_version()}, {ffmpeg_version}. Load average at the end: {os.getloadavg()[0]:.1f}
  (the machine was shared with other work, which slows wall-clock times unevenly).
- Method: a generated {args.seconds}-second 1280×720 clip (testsrc2 + 440 Hz sine) is added as a video
  and transcoded to {renditions} (H.264 veryfast CRF 23 / AAC, `+faststart`, one ffmpeg run for both
  renditions) plus a poster JPEG. *Bare* runs the job's own ffmpeg commands with `subprocess`; *job*
  takes the queued task from huey's SQLite storage and executes it as `flask worker` does (claim,
  ffprobe, ffmpeg with `-progress` parsing and percent writes, poster, ffprobe of each output, results
  in one transaction). {args.repeat} rounds in alternating order; best of each. The target is judged
  on CPU time (this process plus its ffmpeg/ffprobe children), which other load on the machine does
  not distort; wall-clock times are shown beside it.

| run | best CPU time | best wall time | speed (wall) |
|-----|---------------|----------------|--------------|
| bare ffmpeg commands | {bare_cpu:.2f} s | {bare_wall:.2f} s | {args.seconds / bare_wall:.1f}× realtime |
| transcoding job | {job_cpu:.2f} s | {job_wall:.2f} s | {args.seconds / job_wall:.1f}× realtime |

All rounds — bare: {rounds(bare_times)}; job: {rounds(job_times)}.

**Overhead of the job: {cpu_overhead:+.1%} CPU time ({wall_overhead:+.1%} wall time).
Target (within {TARGET_OVERHEAD:.0%}): {verdict}.**
"""
    if not args.no_write:
        write_section(NAME, body)
        print(f"written to {BENCHMARKS_DOC.relative_to(PROJECT_ROOT)}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
