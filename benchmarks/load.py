"""Load and faults: simulated members and secretaries against gunicorn + PostgreSQL + Redis on loopback.

    .venv/bin/python benchmarks/load.py [--members 500] [--secretaries 10] [--seconds 180]
                                        [--spawn-rate 10] [--no-report]

The stack is devtools/stack.py's (as `make deploy-check` starts it, without nginx): gunicorn with
docs/deploy/gunicorn.conf.py, a fresh PostgreSQL database `party_school_load` on 127.0.0.1:5432, Redis
database 8 (job queue and sign-in limiter), `flask db upgrade`, `flask demo load` and a job worker.
Seeding adds the members (one branch of 50 per 支部 under 负载测试党总支) and branch secretaries in one
transaction, and a published course (a video lesson, the run's length + 30 s, transcoded by the worker, a reading lesson on
the demo 党章 and the demo quiz) assigned to them. Locust (benchmarks/_load_users.py) then runs
headless for --seconds: watchers send a heartbeat every ~10 s, readers open documents and search, quiz
takers start, autosave and submit attempts, secretaries open reports.

Faults, at a third of the run: a second clip is queued for transcoding; once the worker is
transcoding it, the worker and its ffmpeg are killed with SIGKILL and started again 3 s later (as
systemd's Restart= would); then one gunicorn worker (a child of the master) is killed with SIGKILL.
The kill window is each kill's time to 5 s after it.

Checks (PASS/FAIL, exit status 1 on any FAIL):
- every heartbeat answered 200 is in the database: its interval lies inside the member's verified
  intervals, and the verified seconds are at least what that answer said;
- no error outside the kill window: an error is a connection failure or a status other than 2xx/3xx,
  except the heartbeat refusals 409/422 (counted and listed, not errors);
- the clip whose transcoding was cut off ends ready after the worker's restart;
- gunicorn replaced its killed worker.
The figures (throughput, p50/p95/p99 per request type, errors inside and outside the window) go into
docs/benchmarks.md, section `load`, unless --no-report.
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks._report import machine_line, write_section  # noqa: E402
from devtools.stack import BIN, Stack, services_answer, wait_for_port  # noqa: E402

NAME = "load"
DATABASE = "party_school_load"
REDIS_DB = 8
PORT = int(os.environ.get("LOAD_GUNICORN_PORT", 18100))
PASSWORD = "party-school-demo"
BRANCH_SIZE = 50
# Long enough that its transcoding is still running when the poll sees it start, even on a busy machine
# (at 40 s a loaded CI run once found it already ready when the kill came).
FAULT_CLIP_SECONDS = 90
KILL_WINDOW = 5.0
# A light scrypt work factor unless --production-hash.
LIGHT_HASH = "scrypt:1024:8:1"
WORKER_RESTART_DELAY = 3.0
COURSE_SLUG = "fuzai-ceshi"
GENERAL_BRANCH = "负载测试党总支"
# The refusals a well-behaved player may still get (a stretch sent while a killed worker held the
# member's earlier one, a lesson opened meanwhile): expected answers, not errors. Any other refusal is.
EXPECTED_REFUSALS = {"superseded", "replayed", "concurrent", "faster_than_real_time"}


# --- seeding (runs inside the app, in a child process with the stack's environment) ---------------


def seed(plan_path: Path, args, folder: Path) -> None:
    """Accounts, units and the load course; writes the plan the locustfile reads."""
    from datetime import date

    from sqlalchemy import select

    from app import create_app
    from app.auth.models import Role, User
    from app.auth.passwords import hash_password
    from app.courses import importer, services
    from app.courses.models import Course, LessonKind
    from app.demo.services import COMMITTEE
    from app.extensions import db
    from app.library.models import Document
    from app.org.accounts import add_account
    from app.org.services import ensure_unit_path
    from devtools.clips import make_clip

    members, secretaries = args.members, args.secretaries
    app = create_app()
    with app.app_context():
        trainer = db.session.scalar(select(User).where(User.username == "trainer"))
        # One hash for every account (seeding stays fast). Sign-ins check it for real; at production's
        # work factor (--production-hash) 500 of them take minutes of CPU on 2 cores (see the report).
        if not args.production_hash:
            app.config["PASSWORD_HASH_METHOD"] = LIGHT_HASH
        password_hash = hash_password(PASSWORD)
        general, _created = ensure_unit_path(f"{COMMITTEE}/{GENERAL_BRANCH}")
        branches = [
            ensure_unit_path(f"{COMMITTEE}/{GENERAL_BRANCH}/第{number:02d}党支部")[0]
            for number in range(1, math.ceil(members / BRANCH_SIZE) + 1)
        ]
        usernames = []
        for index in range(members):
            user = add_account(
                f"load{index:04d}", f"负载党员{index:04d}", branches[index // BRANCH_SIZE], [Role.MEMBER]
            )
            user.password_hash = password_hash
            usernames.append(user.username)
        secretary_units = {}
        for index in range(secretaries):
            # The first one is the general branch's secretary (every load member); the others a branch's.
            unit = general if index == 0 else branches[(index - 1) % len(branches)]
            user = add_account(
                f"loadsec{index:02d}", f"负载书记{index:02d}", unit, [Role.SECRETARY, Role.MEMBER]
            )
            user.password_hash = password_hash
            secretary_units[user.username] = unit.id
        db.session.commit()

        course_folder = Path(app.config["COURSES_DIR"]) / COURSE_SLUG
        write_course_folder(course_folder, make_clip, args.video_seconds)
        importer.import_course(course_folder, trainer)
        course = db.session.scalar(select(Course).where(Course.slug == COURSE_SLUG))
        year = services.current_year()
        services.assign_course(course, general, year, True, date(year, 12, 31), trainer)
        lessons = {lesson.kind: lesson for module in course.modules for lesson in module.lessons}
        make_clip(folder / "fault-clip.mp4", 640, 360, seconds=FAULT_CLIP_SECONDS)
        plan = {
            "password": PASSWORD,
            "members": usernames,
            "secretaries": list(secretary_units),
            "secretary_count": secretaries,
            "secretary_units": secretary_units,
            "course": COURSE_SLUG,
            "video_lesson": lessons[LessonKind.VIDEO].id,
            "video_id": lessons[LessonKind.VIDEO].video_id,
            "quiz": lessons[LessonKind.QUIZ].quiz_id,
            "documents": list(db.session.scalars(select(Document.id).order_by(Document.id))),
            "fault_clip": str(folder / "fault-clip.mp4"),
        }
    plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")


def queue_clip_when_told(path: Path) -> None:
    """Build the app now, queue ``path``'s transcoding when a line arrives on stdin, print its video id.

    Started before the run, so that the queuing itself (not an app's start-up under load) sets the time.
    """
    from sqlalchemy import select

    from app import create_app
    from app.auth.models import User
    from app.extensions import db
    from app.media.services import import_video_file

    app = create_app()
    with app.app_context():
        trainer = db.session.scalar(select(User).where(User.username == "trainer"))
        print("ready", flush=True)
        sys.stdin.readline()
        video, _new = import_video_file(path, trainer)
        print(video.id, flush=True)


def write_course_folder(folder: Path, make_clip, video_seconds: int) -> None:
    """A course in the open format: a video lesson, a reading lesson and the demo quiz."""
    demo = PROJECT_ROOT / "courses" / "dangzhang-rumen"
    (folder / "01-xuexi").mkdir(parents=True, exist_ok=True)
    (folder / "media").mkdir(exist_ok=True)
    (folder / "course.yml").write_text(
        f"slug: {COURSE_SLUG}\ntitle: 负载测试课程\nsummary: benchmarks/load.py 的课程。\n"
        "credit_hours: 1\nstatus: published\n",
        encoding="utf-8",
    )
    (folder / "01-xuexi" / "module.yml").write_text("title: 学习单元\n", encoding="utf-8")
    (folder / "01-xuexi" / "01-shipin.md").write_text(
        "---\ntitle: 视频课\nkind: video\nminutes: 5\ncompletion: watched\nvideo: media/load.mp4\n---\n\n看视频。\n",
        encoding="utf-8",
    )
    (folder / "01-xuexi" / "02-yuedu.md").write_text(
        # The demo course's reading note (flask demo load imports it with the demo course).
        "---\ntitle: 阅读课\nkind: reading\nminutes: 20\ncompletion: read\ndocument: 党员的权利和义务学习笔记\n"
        "section: 一、为什么既讲义务又讲权利\n---\n\n阅读学习笔记。\n",
        encoding="utf-8",
    )
    shutil.copyfile(demo / "03-ceshi" / "dangzhang-quiz.gift", folder / "01-xuexi" / "quiz.gift")
    (folder / "01-xuexi" / "03-ceshi.md").write_text(
        "---\ntitle: 测验\nkind: quiz\nminutes: 10\ncompletion: passed\nquiz: quiz.gift\nquiz_settings:\n"
        "  pass_score: 60\n  time_limit: 10\n  attempts: 100\n  shuffle: true\n---\n\n小测验。\n",
        encoding="utf-8",
    )
    make_clip(folder / "media" / "load.mp4", 320, 180, seconds=video_seconds)


# --- the run --------------------------------------------------------------------------------------


def video_status(stack: Stack, video_id: int) -> str:
    return stack.psql(f"SELECT status FROM videos WHERE id = {int(video_id)}").lower()


def wait_for_video(stack: Stack, video_id: int, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    status = ""
    while time.monotonic() < deadline:
        status = video_status(stack, video_id)
        if status in ("ready", "failed"):
            return status
        time.sleep(0.5)
    return status


def wait_for_first_request(access_log: Path, seconds: float) -> float:
    """When locust's first request reached gunicorn (its start-up takes a few seconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if access_log.exists() and "/login" in access_log.read_text(errors="replace"):
            return time.time()
        time.sleep(0.2)
    raise SystemExit("locust sent nothing")


def sign_in_cost() -> float:
    """Median seconds of one production-strength password check on this machine, now."""
    from werkzeug.security import check_password_hash, generate_password_hash

    stored = generate_password_hash(PASSWORD, method="scrypt")
    times = []
    for _ in range(5):
        began = time.perf_counter()
        check_password_hash(stored, PASSWORD)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def clip_queuer(stack: Stack, plan: dict) -> subprocess.Popen:
    queuer = subprocess.Popen(
        [str(BIN / "python"), __file__, "--queue-clip", plan["fault_clip"]],
        cwd=PROJECT_ROOT,
        env=stack.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if queuer.stdout.readline().strip() != "ready":
        raise SystemExit("the clip queuer did not start")
    return queuer


def inject_faults(stack: Stack, queuer: subprocess.Popen, log) -> dict:
    """Queue the fault clip; once it is transcoding, kill -9 the job worker (restarting it), then a
    gunicorn worker. Returns the kill times and what was killed."""
    queuer.stdin.write("go\n")
    queuer.stdin.flush()
    fault_video = int(queuer.stdout.readline())
    queuer.wait(timeout=30)
    deadline = time.monotonic() + 60
    while video_status(stack, fault_video) != "processing" and time.monotonic() < deadline:
        time.sleep(0.2)
    state_at_kill = video_status(stack, fault_video)
    job_kill = time.time()
    stack.kill_worker()
    log(f"kill -9 job worker (pid group {stack.worker.pid}); fault clip was {state_at_kill}")
    workers_before = stack.gunicorn_workers()
    victim = workers_before[0]
    web_kill = time.time()
    os.kill(victim, signal.SIGKILL)
    log(f"kill -9 gunicorn worker {victim} (of {len(workers_before)})")
    time.sleep(WORKER_RESTART_DELAY)
    stack.start_worker(stack.folder / "worker.log")
    log("job worker started again")
    time.sleep(2)
    return {
        "fault_video": fault_video,
        "state_at_kill": state_at_kill,
        "kills": [job_kill, web_kill],
        "victim": victim,
        "workers_before": len(workers_before),
        "workers_after": len(stack.gunicorn_workers()),
        "victim_gone": victim not in stack.gunicorn_workers(),
    }


def run_locust(stack: Stack, plan_path: Path, out: Path, users: int, spawn_rate: float, seconds: int):
    env = {**stack.env, "LOAD_PLAN": str(plan_path), "LOAD_OUT": str(out)}
    command = [
        str(BIN / "locust"),
        "-f",
        str(PROJECT_ROOT / "benchmarks" / "_load_users.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{seconds}s",
        "--host",
        stack.base_url,
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "0",
    ]
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=open(out / "locust.log", "wb"), stderr=subprocess.STDOUT
    )


# --- checks and figures ---------------------------------------------------------------------------


def check_acks(stack: Stack, plan: dict, acks: list) -> tuple[bool, str]:
    rows = stack.psql(
        "SELECT coalesce(json_object_agg(u.username, json_build_object('intervals', vp.intervals, "
        "'verified', vp.verified_seconds)), '{}') FROM video_progress vp JOIN users u ON u.id = vp.user_id "
        f"WHERE vp.lesson_id = {int(plan['video_lesson'])}"
    )
    stored = json.loads(rows)
    missing = []
    for username, start, end, verified, _at in acks:
        row = stored.get(username)
        inside = row is not None and any(
            low <= start + 1e-6 and end <= high + 1e-6 for low, high in row["intervals"]
        )
        if not inside or row["verified"] + 1e-6 < verified:
            missing.append((username, start, end, verified, row and row["verified"]))
    members = len({ack[0] for ack in acks})
    detail = f"{len(acks)} acknowledged heartbeats of {members} members, {len(missing)} not in the database"
    if missing:
        detail += f"; first: {missing[:3]}"
    return bool(acks) and not missing, detail


def check_record(stack: Stack) -> tuple[bool, str]:
    """`flask progress verify` after the load and the kills: clean, or clean after one repair."""

    def verify() -> list:
        run = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "progress", "verify", "--json"],
            cwd=PROJECT_ROOT, env=stack.env, capture_output=True, text=True,
        )  # fmt: skip
        return json.loads(run.stdout)

    found = verify()
    if not found:
        completed = stack.psql("SELECT count(*) FROM lesson_progress WHERE completed_at IS NOT NULL")
        return True, f"clean: {completed} completed lessons, each with its statement and credit"
    stack.flask("progress", "repair")
    left = verify()
    kinds = sorted({violation["kind"] for violation in found})
    return not left, f"{len(found)} violation(s) ({', '.join(kinds)}) repaired, {len(left)} left"


def classify(requests: list, kills: list[float]) -> dict:
    """Split the requests into ok, expected refusals and errors, inside or outside the kill window."""
    windows = [(kill, kill + KILL_WINDOW) for kill in kills]
    result = {"errors_in": [], "errors_out": [], "refusals": {}}
    for start, end, name, status, error in requests:
        if 200 <= status < 400:
            continue
        reason = refusal_reason(error) if name == "POST heartbeat" and status in (409, 422) else None
        if reason in EXPECTED_REFUSALS:
            result["refusals"][(status, reason)] = result["refusals"].get((status, reason), 0) + 1
            continue
        inside = any(start <= high and end >= low for low, high in windows)
        result["errors_in" if inside else "errors_out"].append([start, end, name, status, error])
    return result


def refusal_reason(error: str | None) -> str | None:
    """The ``error`` code of a heartbeat refusal's JSON body, kept in the request log."""
    body = (error or "").partition("{")
    try:
        return json.loads(body[1] + body[2]).get("error")
    except ValueError:
        return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def figures(requests: list) -> tuple[list[dict], float]:
    """Per request type: count, requests/s, p50/p95/p99 (ms); and the whole run's span in seconds."""
    span = max(end for _s, end, *_r in requests) - min(start for start, *_r in requests)
    by_name: dict[str, list[float]] = {}
    for start, end, name, *_rest in requests:
        by_name.setdefault(name, []).append((end - start) * 1000)
    rows = []
    for name, times in sorted(by_name.items(), key=lambda item: -len(item[1])):
        rows.append(_row(name, times, span))
    rows.append(_row("all", [(end - start) * 1000 for start, end, *_r in requests], span))
    return rows, span


def _row(name: str, times: list[float], span: float) -> dict:
    return {
        "name": name,
        "count": len(times),
        "rate": len(times) / span,
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "mean": statistics.fmean(times),
    }


def server_times(access_log: Path) -> list[dict]:
    """Per route (ids as N), from gunicorn's access log: count, median and p95 of the time in the app."""
    by_route: dict[str, list[float]] = {}
    pattern = re.compile(r'"(\w+) (\S+) HTTP[^"]*" \d+ \S+ (\d+)us')
    for line in access_log.read_text(errors="replace").splitlines():
        found = pattern.search(line)
        if found:
            route = f"{found.group(1)} {re.sub(r'/[0-9]+(?=/|$)', '/N', found.group(2).split('?')[0])}"
            by_route.setdefault(route, []).append(int(found.group(3)) / 1000)
    rows = [
        {"route": route, "count": len(times), "p50": percentile(times, 0.5), "p95": percentile(times, 0.95)}
        for route, times in by_route.items()
    ]
    return sorted(rows, key=lambda row: -row["count"] * row["p50"])


def nominal_rate(args) -> float:
    """Requests/s the users would send at their own pace with instant answers (for comparison)."""
    watchers = args.members * 6 // 10
    others = args.members - watchers
    return watchers / 10 + others / 6.5 + args.secretaries / 10


def report(args, rows, span, classified, faults, checks, command, context) -> str:
    lines = [
        "## Load and faults",
        "",
        f"Measured {machine_line()}, with `{command}`.",
        "",
        f"{args.members} members ({args.members * 6 // 10} watching the video lesson at about 6 heartbeats a "
        f"minute, the others reading, searching and taking the quiz) and {args.secretaries} secretaries "
        f"opening reports, ramped at {args.spawn_rate:g} users/s, for {args.seconds} s against gunicorn "
        "(docs/deploy/gunicorn.conf.py: 5 sync workers on 2 cores), PostgreSQL and Redis on the same "
        "machine, with locust on it too. Latency is from the client, redirects included. The user classes "
        "are in benchmarks/_load_users.py. "
        + (
            "Accounts carry production-strength scrypt hashes."
            if args.production_hash
            else f"Accounts carry scrypt hashes at a light work factor ({LIGHT_HASH}): one production-strength "
            f"check took {context['sign_in'] * 1000:.0f} ms here, so {args.members} members signing in "
            f"at once would need about {args.members * context['sign_in']:.0f} s of CPU (rerun with "
            "--production-hash to include it)."
        ),
        "",
        f"Load average before the run: {context['loadavg']} (other work on the machine counts in the latencies).",
        "",
        f"Throughput over the {span:.0f} s of requests: **{rows[-1]['rate']:.1f} requests/s**; at their own "
        f"pace (a heartbeat every 10 s, 3–10 s between other steps) the users would send about "
        f"{nominal_rate(args):.0f}/s, so latencies above the server's own times (second table) are "
        "waiting for a free worker.",
        "",
        "| Request | Count | Req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        name = f"**{row['name']}**" if row["name"] == "all" else row["name"]
        lines.append(
            f"| {name} | {row['count']} | {row['rate']:.1f} | {row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f} |"
        )
    lines += [
        "",
        "Time inside the app per route (gunicorn's access log), the heaviest first:",
        "",
        "| Route | Count | p50 ms | p95 ms |",
        "|---|---:|---:|---:|",
        *[
            f"| {row['route']} | {row['count']} | {row['p50']:.0f} | {row['p95']:.0f} |"
            for row in context["server"][:12]
        ],
    ]
    refusals = ", ".join(
        f"{name} {status}: {count}" for (name, status), count in classified["refusals"].items()
    )
    lines += [
        "",
        f"Faults at {faults['offset']:.0f} s: the job worker (and its ffmpeg) killed with SIGKILL while "
        f"transcoding a {FAULT_CLIP_SECONDS} s clip, restarted {WORKER_RESTART_DELAY:g} s later; then one of "
        f"gunicorn's {faults['workers_before']} workers killed with SIGKILL. Kill window: each kill to "
        f"+{KILL_WINDOW:g} s.",
        "",
        f"- Errors inside the kill window: {len(classified['errors_in'])}"
        + (f" ({_error_kinds(classified['errors_in'])})" if classified["errors_in"] else ""),
        f"- Errors outside it: {len(classified['errors_out'])}"
        + (f" ({_error_kinds(classified['errors_out'])})" if classified["errors_out"] else ""),
        f"- Heartbeat refusals an honest player may get (not errors): {refusals or 'none'}",
        "",
        "| Check | Result |",
        "|---|---|",
        *[f"| {name} | {'PASS' if ok else 'FAIL'}: {detail} |" for name, ok, detail in checks],
    ]
    return "\n".join(lines)


def _error_kinds(errors: list) -> str:
    kinds: dict[str, int] = {}
    for _start, _end, name, status, error in errors:
        kind = f"{name} {status or (error or '').split(':')[0]}"
        kinds[kind] = kinds.get(kind, 0) + 1
    return ", ".join(f"{kind} ×{count}" for kind, count in sorted(kinds.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--secretaries", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument(
        "--video-seconds",
        type=int,
        help="the video lesson's length (default: the run's + 30 s, at most 300 s)",
    )
    parser.add_argument("--database", default=DATABASE, help="the PostgreSQL database (dropped first)")
    parser.add_argument("--redis-db", type=int, default=REDIS_DB, help="the Redis database number (flushed)")
    parser.add_argument("--port", type=int, default=PORT, help="gunicorn's port on 127.0.0.1")
    parser.add_argument(
        "--production-hash",
        action="store_true",
        help="accounts' passwords at production's scrypt work factor",
    )
    parser.add_argument("--no-report", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs)")
    parser.add_argument("--seed-plan", type=Path, help=argparse.SUPPRESS)  # the child processes' parts
    parser.add_argument("--queue-clip", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.video_seconds = args.video_seconds or min(300, args.seconds + 30)
    if args.queue_clip:
        queue_clip_when_told(args.queue_clip)
        return 0
    if args.seed_plan:
        seed(args.seed_plan, args, args.seed_plan.parent)
        return 0
    missing = services_answer()
    if missing:
        print(f"FAIL  {missing}")
        return 1

    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)

    folder = Path(tempfile.mkdtemp(prefix="load-"))
    stack = Stack(
        folder,
        args.database,
        args.redis_db,
        args.port,
        {
            "COURSES_DIR": str(folder / "courses"),
            # Every simulated member signs in from 127.0.0.1: the per-address limit would refuse them.
            "RATELIMIT_LOGIN": "100000 per minute",
        },
    )
    context = {"sign_in": sign_in_cost(), "loadavg": " ".join(f"{value:.1f}" for value in os.getloadavg())}
    stack.make_folders("courses", "out")
    stack.reset()
    checks: list[tuple[str, bool, str]] = []
    try:
        stack.flask("db", "upgrade")
        stack.flask("demo", "load")
        log("migrated, demo loaded")
        # The worker transcodes the demo clip, then the load course's, while seeding goes on.
        stack.start_worker(folder / "worker.log")
        stack.start_gunicorn()
        plan_path = folder / "plan.json"
        subprocess.run(
            [str(BIN / "python"), __file__, "--seed-plan", str(plan_path), "--members", str(args.members),
             "--secretaries", str(args.secretaries), "--video-seconds", str(args.video_seconds),
             *(["--production-hash"] if args.production_hash else [])],
            cwd=PROJECT_ROOT, env=stack.env, check=True,
        )  # fmt: skip
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
        log(f"seeded {args.members} members, {args.secretaries} secretaries, the load course")
        wait_for_port(args.port)
        status = wait_for_video(stack, plan["video_id"], 300)
        if status != "ready":
            print(f"FAIL  the load course's video is {status}, not ready")
            return 1
        plan["base_url"] = stack.base_url
        plan["video_duration"] = float(
            stack.psql(f"SELECT duration FROM videos WHERE id = {plan['video_id']}")
        )
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        log(f"video ready ({plan['video_duration']:.1f} s); locust starts")

        out = folder / "out"
        users = args.members + args.secretaries
        queuer = clip_queuer(stack, plan)
        context["loadavg"] = " ".join(f"{value:.1f}" for value in os.getloadavg())
        locust = run_locust(stack, plan_path, out, users, args.spawn_rate, args.seconds)
        first = wait_for_first_request(folder / "gunicorn-access.log", 120)
        # Queuing the clip and the worker's start on it take a few seconds: the kills land near a third.
        time.sleep(max(0.0, first + args.seconds / 3 - 3 - time.time()))
        faults = inject_faults(stack, queuer, log)
        faults["offset"] = faults["kills"][0] - first
        locust.wait(timeout=args.seconds + 120)
        log(f"locust ended ({locust.returncode})")

        requests = json.loads((out / "requests.json").read_text())
        acks = json.loads((out / "acks.json").read_text())
        checks.append(("every acknowledged heartbeat is in the database", *check_acks(stack, plan, acks)))
        classified = classify(requests, faults["kills"])
        checks.append(
            (
                "no error outside the kill window",
                not classified["errors_out"],
                f"{len(classified['errors_out'])} outside, {len(classified['errors_in'])} inside, "
                f"of {len(requests)} requests",
            )
        )
        final = wait_for_video(stack, faults["fault_video"], 180)
        checks.append(
            (
                "the transcoding cut off by the kill resumes and ends ready",
                faults["state_at_kill"] == "processing" and final == "ready",
                f"{faults['state_at_kill']} when killed, {final} after the restart",
            )
        )
        checks.append(
            (
                "gunicorn replaced its killed worker",
                faults["victim_gone"] and faults["workers_after"] == faults["workers_before"],
                f"{faults['workers_before']} workers before, {faults['workers_after']} after",
            )
        )
        checks.append(("the learning record verifies clean (after at most one repair)", *check_record(stack)))
        rows, span = figures(requests)
        context["server"] = server_times(folder / "gunicorn-access.log")
    finally:
        stack.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"scratch folder kept: {folder}")

    for row in rows:
        print(
            f"{row['name']:<22} {row['count']:>7} {row['rate']:>7.1f}/s  p50 {row['p50']:>6.0f}  "
            f"p95 {row['p95']:>6.0f}  p99 {row['p99']:>6.0f} ms"
        )
    for error in (classified["errors_out"] + classified["errors_in"])[:10]:
        print("error:", error)
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}  ({detail})")
    passed = all(ok for _n, ok, _d in checks)
    if not args.no_report:
        command = ".venv/bin/python benchmarks/load.py " + " ".join(
            f"--{key.replace('_', '-')} {value:g}" if isinstance(value, float) else f"--{key.replace('_', '-')} {value}"
            for key, value in (("members", args.members), ("secretaries", args.secretaries),
                               ("seconds", args.seconds), ("spawn_rate", args.spawn_rate))
        ) + (" --production-hash" if args.production_hash else "")  # fmt: skip
        write_section(NAME, report(args, rows, span, classified, faults, checks, command, context))
        print("docs/benchmarks.md updated")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
