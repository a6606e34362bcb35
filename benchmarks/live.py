"""Live lessons under load: simulated viewers on a real broadcast through nginx-rtmp.

    .venv/bin/python benchmarks/live.py [--viewers 300] [--seconds 120] [--workers 5]

A fresh SQLite database with one published live lesson and one member per viewer; the app under
gunicorn (sync workers) on 127.0.0.1; nginx with Debian's RTMP module calling it back
(devtools/nginx_rtmp.py, the configuration `flask live nginx-config` writes); ffmpeg publishing a
generated 640x360 stream for ``--seconds`` in real time. Each viewer is a thread that joins at a
random moment of the first fifth of the broadcast and leaves at a random moment of its last half
(a third stay to the end), and meanwhile does what the live page does: fetches the signed playlist
every fragment and each new segment from nginx, and sends a live heartbeat to the app every 10 s
with the seconds watched since the previous one (and a last one when it leaves).

Targets (issue 22): the app serves no playlist or segment bytes (none in gunicorn's access log);
segment p99 under 100 ms from nginx; every viewer's credited attendance within 5% of their real
watching time inside the broadcast.
"""

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks._members import add_members, bench_config, sign_in  # noqa: E402

NAME = "live"
USER_AGENT = "live-benchmark"
HEARTBEAT_SECONDS = 10
SEGMENT_P99_TARGET_MS = 100
ATTENDANCE_TOLERANCE = 0.05


def seed(folder: Path, viewers: int) -> tuple[dict, int, list[dict]]:
    """Migrate a fresh database, import a course with a live lesson starting now, add one member per
    viewer signed in with a viewing session open; return the config, the lesson id and the viewers."""
    import flask_migrate

    from app import create_app
    from app.courses import importer
    from app.courses.models import Lesson, LessonKind
    from app.extensions import db
    from app.live import attendance, services
    from app.timeutil import utcnow

    config = bench_config(folder)
    course = folder / "courses" / "live-bench"
    (course / "01-live").mkdir(parents=True)
    (course / "course.yml").write_text(
        "slug: live-bench\ntitle: 直播压测\nstatus: published\n", encoding="utf-8"
    )
    (course / "01-live" / "module.yml").write_text("title: 直播\n", encoding="utf-8")
    starts = utcnow().isoformat(timespec="seconds")
    (course / "01-live" / "01-lecture.md").write_text(
        f'---\ntitle: 压测直播\nkind: live\nminutes: 30\nstarts: "{starts}+00:00"\n---\n\n说明。\n',
        encoding="utf-8",
    )
    app = create_app(config, instance_path=str(folder / "instance"))
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        importer.import_course(course)
        lesson = db.session.scalars(db.select(Lesson).filter_by(kind=LessonKind.LIVE)).one()
        lesson_id, stream_key = lesson.id, services.encoder_settings(lesson).stream_key
        ids = add_members("viewer", "观众", viewers)
        db.session.remove()
    people = sign_in(
        app,
        ids,
        USER_AGENT,
        lambda member: {"session": attendance.open_viewing(member, services.live_lesson(lesson_id))},
    )
    config["STREAM_KEY"] = stream_key
    return config, lesson_id, people


def signed_playlists(config: dict, hls_url: str, lesson_id: int, people: list[dict]) -> None:
    """Each viewer's signed playlist link, as the page's state poll gives it."""
    from app import create_app
    from app.live import streaming

    app = create_app({**config, "LIVE_HLS_URL": hls_url})
    with app.app_context():
        for person in people:
            person["playlist"] = streaming.playlist_url(lesson_id, person["id"])


class Viewer(threading.Thread):
    def __init__(self, person: dict, app_port: int, lesson_id: int, join: float, leave: float, totals: dict):
        super().__init__(daemon=True)
        self.person, self.app_port, self.lesson_id = person, app_port, lesson_id
        self.join_at, self.leave_at, self.totals = join, leave, totals
        self.watched_from = self.watched_to = None
        self.sequence = 0

    def heartbeat(self, connection, seconds: float) -> None:
        self.sequence += 1
        body = f'{{"seconds": {seconds:.3f}, "session": "{self.person["session"]}", "sequence": {self.sequence}}}'
        headers = {
            "Content-Type": "application/json",
            "Cookie": f"session={self.person['cookie']}",
            "X-CSRFToken": self.person["csrf"],
            "User-Agent": USER_AGENT,
        }
        connection.request("POST", f"/api/v1/live/{self.lesson_id}/heartbeat", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        with self.totals["lock"]:
            self.totals["heartbeats"][answer.status] = self.totals["heartbeats"].get(answer.status, 0) + 1

    def run(self) -> None:
        time.sleep(max(0.0, self.join_at - time.time()))
        url = urlsplit(self.person["playlist"])
        folder = url.path.rsplit("/", 1)[0]
        hls = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        app = http.client.HTTPConnection("127.0.0.1", self.app_port, timeout=30)
        seen: set[str] = set()
        self.watched_from = last_beat = time.time()
        while (now := time.time()) < self.leave_at and not self.totals["ended"].is_set():
            hls.request("GET", url.path)
            playlist = hls.getresponse()
            text = playlist.read().decode(errors="replace")
            if playlist.status == 200:
                for name in [line for line in text.splitlines() if line.endswith(".ts")][-3:]:
                    if name in seen:
                        continue
                    seen.add(name)
                    began = time.perf_counter()
                    hls.request("GET", f"{folder}/{name}")
                    segment = hls.getresponse()
                    size = len(segment.read())
                    with self.totals["lock"]:
                        self.totals["segments"].append((time.perf_counter() - began) * 1000)
                        self.totals["bytes"] += size
                        if segment.status != 200:
                            self.totals["segment_errors"] += 1
            if now - last_beat >= HEARTBEAT_SECONDS:
                self.heartbeat(app, now - last_beat)
                last_beat = now
            time.sleep(2)  # hls.js reloads a live playlist about once a fragment
        self.watched_to = min(time.time(), self.leave_at)
        if self.watched_to - last_beat >= 0.5:  # the page's last report when it is hidden or left
            self.heartbeat(app, self.watched_to - last_beat)
        hls.close()
        app.close()


def run(viewers: int, seconds: int, workers: int) -> dict:
    from app import create_app
    from app.extensions import db
    from app.live.models import LiveAttendance, LiveBroadcast
    from benchmarks.heartbeat import free_port
    from devtools.nginx_rtmp import StreamingServer, push
    from devtools.stack import wait_for_port

    folder = Path(tempfile.mkdtemp(prefix="live-bench-"))
    config, lesson_id, people = seed(folder, viewers)
    env = {key: str(value) for key, value in config.items() if value is not None and key != "DATABASE_URL"}
    env["DATABASE_URL"] = config["DATABASE_URL"]
    access_log = folder / "gunicorn-access.log"
    app_port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "-b", f"127.0.0.1:{app_port}", "-w", str(workers), "-k", "sync", "--preload",
         "--access-logfile", str(access_log), "wsgi:app"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(app_port, 60)
    app = create_app(config, instance_path=str(folder / "instance"))
    streaming = StreamingServer(folder / "live-nginx", f"http://127.0.0.1:{app_port}")
    totals = {
        "lock": threading.Lock(),
        "segments": [],
        "bytes": 0,
        "segment_errors": 0,
        "heartbeats": {},
        "ended": threading.Event(),
    }
    encoder = None
    try:
        with app.app_context():
            streaming.start()
        signed_playlists(config, streaming.hls_url, lesson_id, people)
        encoder = push(streaming.rtmp_url(config["STREAM_KEY"]), seconds, size="640x360")
        deadline = time.time() + 20
        while not (folder / "media" / "live" / f"lesson-{lesson_id}" / "index.m3u8").exists():
            if time.time() > deadline:
                raise RuntimeError(f"no playlist: {streaming.error_log()}")
            time.sleep(0.2)
        began = time.time()
        randomness = random.Random(22)
        threads = []
        for index, person in enumerate(people):
            join = began + randomness.uniform(0, seconds * 0.2)
            leave = (
                began + seconds + 60 if index % 3 == 0 else began + randomness.uniform(seconds * 0.5, seconds)
            )
            threads.append(Viewer(person, app_port, lesson_id, join, leave, totals))
        for thread in threads:
            thread.start()
        encoder.communicate(timeout=seconds + 60)
        # The stream is over: the viewers who stayed leave once the playlist is gone.
        time.sleep(3)
        totals["ended"].set()
        for thread in threads:
            thread.join(timeout=30)
        time.sleep(1)
        with app.app_context():
            windows = [(row.started_at, row.ended_at) for row in db.session.scalars(db.select(LiveBroadcast))]
            credited = {
                row.user_id: row.attended_seconds for row in db.session.scalars(db.select(LiveAttendance))
            }
    finally:
        if encoder is not None and encoder.poll() is None:
            encoder.kill()
            encoder.communicate()
        streaming.stop()
        server.terminate()
        server.wait(timeout=30)
    start_at, end_at = (
        min(_epoch(start) for start, _end in windows),
        max(_epoch(end) for _start, end in windows),
    )
    errors = []
    for thread in threads:
        real = max(0.0, min(thread.watched_to, end_at) - max(thread.watched_from, start_at))
        got = credited.get(thread.person["id"], 0.0)
        errors.append(abs(got - real) / real if real else (0.0 if got == 0 else 1.0))
    app_hls_lines = sum(
        1
        for line in access_log.read_text().splitlines()
        if ".m3u8" in line or ".ts " in line or "/hls/" in line
    )
    segments = sorted(totals["segments"])
    return {
        "viewers": viewers,
        "seconds": seconds,
        "workers": workers,
        "broadcast": end_at - start_at,
        "segments": len(segments),
        "bytes": totals["bytes"],
        "segment_errors": totals["segment_errors"],
        "p50": statistics.median(segments) if segments else 0.0,
        "p99": segments[int(len(segments) * 0.99) - 1] if segments else 0.0,
        "heartbeats": totals["heartbeats"],
        "worst_error": max(errors),
        "within": sum(1 for error in errors if error <= ATTENDANCE_TOLERANCE),
        "app_hls_lines": app_hls_lines,
    }


def _epoch(at) -> float:
    from datetime import UTC

    return at.replace(tzinfo=UTC).timestamp()


def report(figures: dict, note: str) -> str:
    from benchmarks._report import machine_line

    ok = lambda passed: "met" if passed else "**missed**"  # noqa: E731
    accepted = figures["heartbeats"].get(200, 0)
    refused = sum(count for code, count in figures["heartbeats"].items() if code != 200)
    return "\n".join(
        [
            "## Live lessons (`benchmarks/live.py`)",
            "",
            f"{machine_line()}. {note}",
            "",
            f"{figures['viewers']} simulated viewers on one {figures['broadcast']:.0f} s broadcast (ffmpeg → nginx-rtmp,"
            f" 640x360, 2 s fragments), the app under gunicorn with {figures['workers']} sync workers on SQLite:",
            "",
            "| measure | figure | target |",
            "|---|---|---|",
            f"| playlist/segment requests in the app's access log | {figures['app_hls_lines']} | 0: {ok(figures['app_hls_lines'] == 0)} |",
            f"| segments fetched from nginx (errors) | {figures['segments']} ({figures['segment_errors']}),"
            f" {figures['bytes'] / 1e6:.1f} MB | |",
            f"| segment latency p50 / p99 | {figures['p50']:.1f} / {figures['p99']:.1f} ms |"
            f" p99 < {SEGMENT_P99_TARGET_MS} ms: {ok(figures['p99'] < SEGMENT_P99_TARGET_MS)} |",
            f"| live heartbeats accepted / refused | {accepted} / {refused} | |",
            f"| viewers credited within 5% of their real watching | {figures['within']} of {figures['viewers']}"
            f" (worst {figures['worst_error'] * 100:.1f}%) | all: {ok(figures['within'] == figures['viewers'])} |",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--note", default="", help="a line about the machine's state during the run")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    options = parser.parse_args()
    figures = run(options.viewers, options.seconds, options.workers)
    text = report(figures, options.note)
    print(text)
    if not options.no_write:
        from benchmarks._report import write_section

        write_section(NAME, text)


if __name__ == "__main__":
    main()
