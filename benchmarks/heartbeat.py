"""Heartbeat throughput and latency under gunicorn against a bare one-INSERT Flask endpoint.

    .venv/bin/python benchmarks/heartbeat.py [--clients 32] [--seconds 10] [--rounds 3]

Both apps run under gunicorn on 127.0.0.1 with a SQLite file database in WAL mode, first with two
sync workers, then with two gthread workers (4 threads each). Each of the clients (threads using
http.client) is its own signed-in member watching one video lesson: it sends as interval the real
time elapsed since its previous heartbeat, so every heartbeat is honest (1× against the allowed
1.5×) and should be accepted; refusals are counted separately. The heartbeat is sent two ways: as
the player sends it, with its lesson page's viewing token and no cookie (the lean path), and with
the session cookie and CSRF token (the path other clients may still use). The bare endpoint does one
SQLAlchemy Core INSERT per request. Target: the player's heartbeat reaches at least 60% of the bare
throughput, its p99 at most twice the bare one's. The transcoding job is measured by
benchmarks/transcode.py.
"""

import argparse
import http.client
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks._members import PASSWORD, add_members, bench_config, sign_in  # noqa: E402

NAME = "heartbeat"
TARGET_RATIO = 0.60
USER_AGENT = "heartbeat-benchmark"
WORKER_KINDS = {
    "2 sync workers": ["-w", "2", "-k", "sync", "--preload"],
    "2 gthread workers × 4 threads": ["-w", "2", "-k", "gthread", "--threads", "4", "--preload"],
}


def bare_app():
    """The comparison: a Flask endpoint doing one SQLAlchemy Core INSERT (gunicorn imports this)."""
    from flask import Flask, jsonify, request
    from sqlalchemy import Column, Float, Integer, MetaData, Table, create_engine, insert

    metadata = MetaData()
    beats = Table("beats", metadata, Column("id", Integer, primary_key=True), Column("start", Float))
    from app.extensions import tune_sqlite

    engine = create_engine(f"sqlite:///{os.environ['BARE_DATABASE']}")
    tune_sqlite(engine, "NORMAL")  # the app's SQLite settings: WAL, no fsync per commit
    metadata.create_all(engine)
    app = Flask(__name__)

    @app.post("/beat")
    def beat():
        with engine.begin() as connection:
            connection.execute(insert(beats).values(start=request.get_json()["start"]))
        return jsonify(ok=True)

    return app


def video_lesson(duration: float) -> int:
    """Add a published course whose one lesson is a video lesson, built through the authoring services
    as a trainer builds it; return the lesson's id. Only the ready video is written as a row: the
    benchmark measures heartbeats, not transcoding."""
    from decimal import Decimal

    from app.auth.models import Role
    from app.courses import authoring
    from app.courses.models import CompletionRule, CourseStatus, LessonKind
    from app.extensions import db
    from app.media.models import Video, VideoStatus
    from app.org.accounts import create_account
    from app.org.services import ensure_unit_path

    committee, _created = ensure_unit_path("甲党委")
    trainer = create_account("bench-trainer", "培训管理员", committee, [Role.TRAINER], password=PASSWORD)
    video = Video(
        sha256=f"{'video-course':0<64}"[:64],
        original_filename="clip.mp4",
        source_path="videos/video-course/original.mp4",
        source_format="mov,mp4,m4a,3gp,3g2,mj2",
        size_bytes=1000,
        status=VideoStatus.READY,
        duration=duration,
        width=640,
        height=360,
        uploaded_by=trainer,
    )
    db.session.add(video)
    db.session.commit()
    course = authoring.create_course(
        trainer, "video-course", authoring.CourseFields(title="课程video-course", credit_hours=Decimal("2"))
    )
    module = authoring.add_module(course, "第一单元", editor=trainer)
    lesson = authoring.add_lesson(
        module,
        authoring.LessonFields(
            title="课clip",
            kind=LessonKind.VIDEO,
            minutes=2,
            completion=CompletionRule.WATCHED,
            video_id=video.id,
        ),
        trainer,
    )
    authoring.set_status(course, CourseStatus.PUBLISHED, trainer)
    return lesson.id


def seed(folder: Path, clients: int) -> tuple[dict, int, list[tuple[str, str, str]]]:
    """Migrate a fresh database, add a video lesson and one member per client; return each one's
    session cookie, CSRF token and viewing token (a viewing session opened as the lesson page does)."""
    import flask_migrate

    from app import create_app
    from app.courses.models import Lesson
    from app.extensions import db
    from app.progress.watching import heartbeats

    # The load sends far more heartbeats per member than a player may: the limit is still checked
    # on every heartbeat (its cost is measured), never reached.
    config = bench_config(folder, PROGRESS_HEARTBEAT_RATE_LIMIT="1000000 per minute")
    app = create_app(config, instance_path=str(folder / "instance"))
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        lesson_id = video_lesson(duration=100_000.0)
        member_ids = add_members("bench", "bench姓名", clients)
        db.session.remove()

    def viewing_token(member) -> dict:
        watch = heartbeats.player_state(member, db.session.get(Lesson, lesson_id))
        return {"viewing_token": watch["viewing_token"]}

    people = sign_in(app, member_ids, USER_AGENT, viewing_token)
    with sqlite3.connect(folder / "app.sqlite3") as connection:
        connection.execute("PRAGMA journal_mode=WAL")
    return (
        config,
        lesson_id,
        [(person["cookie"], person["csrf"], person["viewing_token"]) for person in people],
    )


def request_ms(wsgi_app, environ_for, count: int) -> float:
    """Milliseconds per request served by ``wsgi_app`` in this process; every answer must be a 200."""
    statuses: list[str] = []

    def start_response(status: str, _headers, _info=None) -> None:
        statuses.append(status)

    started = time.perf_counter()
    for _ in range(count):
        b"".join(wsgi_app(environ_for(), start_response))
    if any(not status.startswith("200") for status in statuses):
        raise RuntimeError(f"in-process requests answered {sorted(set(statuses))}")
    return (time.perf_counter() - started) / count * 1000


def in_process(
    folder: Path, config: dict, lesson_id: int, signed: tuple[str, str, str], count: int = 2000
) -> dict:
    """Where a heartbeat's time goes, without server or client: the bare request, the heartbeat
    request both ways, and the heartbeat service alone (its read, writes and commit), in milliseconds."""
    from werkzeug.test import EnvironBuilder

    from app import create_app
    from app.auth.models import User
    from app.extensions import db
    from app.progress.watching import heartbeats

    played = [0.0]

    def interval() -> str:  # 1 ms of media per heartbeat: well within the budget at any speed here
        played[0] += 0.001
        return json.dumps({"start": played[0] - 0.001, "end": played[0]})

    def environ(path: str, body, headers: dict):
        return lambda: EnvironBuilder(
            path=path,
            method="POST",
            data=body(),
            content_type="application/json",
            headers=headers,
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ).get_environ()

    os.environ["BARE_DATABASE"] = str(folder / "bare-in-process.sqlite3")
    bare = bare_app()
    app = create_app(config, instance_path=str(folder / "instance"))
    cookie, token, viewing_token = signed
    headers = {"Cookie": f"session={cookie}", "X-CSRFToken": token, "User-Agent": USER_AGENT}
    path = f"/api/v1/lessons/{lesson_id}/heartbeat"
    figures = {
        "bare request": request_ms(bare.wsgi_app, environ("/beat", lambda: '{"start": 1}', {}), count),
        "heartbeat request": request_ms(
            app.wsgi_app, environ(path, interval, {"Authorization": f"Bearer {viewing_token}"}), count
        ),
        "cookie heartbeat request": request_ms(app.wsgi_app, environ(path, interval, headers), count),
    }
    with app.app_context():
        session = app.session_interface.get_signing_serializer(app).loads(cookie)
        member = db.session.get(User, int(session["_user_id"].split(":")[0]))
        started = time.perf_counter()
        for _ in range(count):
            heartbeats.heartbeat(heartbeats.MemberRef(member.id), lesson_id, json.loads(interval()))
        figures["heartbeat service"] = (time.perf_counter() - started) / count * 1000
    return figures


def breakdown_lines(figures: dict) -> list[str]:
    rest = figures["heartbeat request"] - figures["heartbeat service"]
    cookie_rest = figures["cookie heartbeat request"] - figures["heartbeat service"]
    return [
        "Where the time goes, in this process without server or client (ms per request, 2,000 each):",
        "",
        "| bare request | heartbeat request (viewing token) | heartbeat request (cookie) | of which the heartbeat"
        " service | the rest (viewing token) | the rest (cookie) |",
        "|---|---|---|---|---|---|",
        f"| {figures['bare request']:.2f} | {figures['heartbeat request']:.2f}"
        f" | {figures['cookie heartbeat request']:.2f} | {figures['heartbeat service']:.2f}"
        f" | {rest:.2f} | {cookie_rest:.2f} |",
        "",
        "The service is the heartbeat's one SELECT (which also checks the viewing token's account and"
        " session), its two writes and the commit. The rest is the request around it: with the viewing"
        " token, Flask's request handling, the token's HMAC, the rate limiter's and the security headers'"
        " hooks; with the cookie, also the session cookie, the CSRF token and loading the signed-in member.",
        "",
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(target: str, worker_args: list[str], env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [str(PROJECT_ROOT / ".venv/bin/gunicorn"), "-b", f"127.0.0.1:{port}", *worker_args, target]
    server = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not start: {' '.join(command)}")


def load(port: int, path: str, headers: list[dict], seconds: float, totals: dict) -> None:
    """One thread per client, each posting in a loop for ``seconds``; adds the latencies, statuses and
    elapsed time to ``totals``."""
    latencies, statuses = totals["latencies"], totals["statuses"]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(header: dict) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        position, last = 0.0, time.monotonic()
        mine, codes = [], {}
        while (now := time.monotonic()) < stop_at:
            step = max(now - last, 0.001)  # the real time since the previous heartbeat: honest playback
            body = json.dumps({"start": position, "end": position + step})
            began = time.perf_counter()
            connection.request(
                "POST", path, body=body, headers={"Content-Type": "application/json", **header}
            )
            answer = connection.getresponse()
            answer.read()
            mine.append(time.perf_counter() - began)
            codes[answer.status] = codes.get(answer.status, 0) + 1
            if answer.status == 200:
                position, last = position + step, now
        connection.close()
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    threads = [threading.Thread(target=client, args=(header,)) for header in headers]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    totals["elapsed"] += time.monotonic() - began


def summary(totals: dict) -> dict:
    latencies = sorted(totals["latencies"])
    return {
        "throughput": len(latencies) / totals["elapsed"],
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "statuses": totals["statuses"],
    }


def row(label: str, figures: dict) -> str:
    codes = ", ".join(f"{code}: {count}" for code, count in sorted(figures["statuses"].items()))
    return (
        f"| {label} | {figures['throughput']:.0f} | {figures['p50']:.1f} | {figures['p99']:.1f} | {codes} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from benchmarks._report import machine_line, write_section

    lines = []
    with tempfile.TemporaryDirectory(prefix="heartbeat-bench-") as folder:
        folder = Path(folder)
        # One member more than clients: the in-process measurement's.
        config, lesson_id, signed = seed(folder, args.clients + 1)
        breakdown = in_process(folder, config, lesson_id, signed.pop())
        app_env = {key: str(value) for key, value in config.items() if value is not None}
        bare_database = folder / "bare.sqlite3"
        with sqlite3.connect(bare_database) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
        bare_env = {"BARE_DATABASE": str(bare_database)}
        cookie_headers = [
            {"Cookie": f"session={cookie}", "X-CSRFToken": token, "User-Agent": USER_AGENT}
            for cookie, token, _viewing in signed
        ]
        viewing_headers = [{"Authorization": f"Bearer {viewing}"} for _cookie, _token, viewing in signed]
        path = f"/api/v1/lessons/{lesson_id}/heartbeat"
        endpoints = (
            ("bare INSERT", "benchmarks.heartbeat:bare_app()", bare_env, "/beat", [{}] * args.clients),
            ("heartbeat", "app:create_app()", app_env, path, viewing_headers),
            ("heartbeat (cookie)", "app:create_app()", app_env, path, cookie_headers),
        )
        for kind, worker_args in WORKER_KINDS.items():
            # Both servers run throughout and the loads alternate, so a slower spell of a shared
            # machine weighs on both sides of the ratio alike.
            servers = {
                label: serve(target, worker_args, env) for label, target, env, _path, _headers in endpoints
            }
            totals = {label: {"latencies": [], "statuses": {}, "elapsed": 0.0} for label, *_rest in endpoints}
            try:
                for _round in range(args.rounds):
                    for label, _target, _env, path, headers in endpoints:
                        load(servers[label][1], path, headers, args.seconds, totals[label])
            finally:
                for server, _port in servers.values():
                    server.terminate()
                    server.wait(timeout=30)
            results = {label: summary(figures) for label, figures in totals.items()}
            bare, lean = results["bare INSERT"], results["heartbeat"]
            ratio = lean["throughput"] / bare["throughput"]
            tail = lean["p99"] / bare["p99"]
            verdict = "met" if ratio >= TARGET_RATIO and tail <= 2 else "missed"
            lines += [
                f"**{kind}** — the player's heartbeat at {ratio:.0%} of the bare throughput (target ≥"
                f" {TARGET_RATIO:.0%}), p99 {tail:.1f}× the bare one (target ≤ 2×): {verdict}",
                "",
                "| endpoint | requests/s | p50 ms | p99 ms | statuses |",
                "|---|---|---|---|---|",
                row("bare INSERT", bare),
                row("heartbeat (viewing token, as the player sends it)", lean),
                row("heartbeat (session cookie and CSRF token)", results["heartbeat (cookie)"]),
                "",
            ]
            print("\n".join(lines[-8:]))
    body = "\n".join(
        [
            "## Heartbeats",
            "",
            f"`.venv/bin/python benchmarks/heartbeat.py --clients {args.clients} --seconds {args.seconds:g}"
            f" --rounds {args.rounds}` — {machine_line()}; SQLite WAL file, gunicorn on 127.0.0.1, the load is"
            f" {args.clients} client threads in one Python process (they share the 2 cores with the server)."
            f" The three loads take turns, {args.seconds:g} s each, {args.rounds} times, and each row sums its"
            " rounds.",
            "",
            *lines,
            *breakdown_lines(breakdown),
            "Transcoding overhead is measured separately by `benchmarks/transcode.py`.",
        ]
    )
    write_section(NAME, body)


if __name__ == "__main__":
    main()
