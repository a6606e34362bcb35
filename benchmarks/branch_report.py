"""How long a branch and the whole organisation wait for their report, on SQLite and PostgreSQL.

Usage: .venv/bin/python benchmarks/branch_report.py [--members 20000] [--committees 10]
       [--branches 200] [--courses 50] [--progress 1000000] [--runs 7] [--pg URL | --no-pg]

Generates, with a fixed seed, an organisation (a group committee above N committees above the
branches), courses with lessons, required assignments, lesson progress rows, certificates and ledger
entries, through the real migrations; then times `build_unit_report` warm for one branch and for
the whole organisation and counts its queries. Writes its section of docs/benchmarks.md.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate
from sqlalchemy import MetaData, event, insert, text

from app import create_app
from app.auth.models import Role, RoleGrant, User
from app.courses.models import Assignment, CompletionRule, Course, CourseStatus, Lesson, LessonKind, Module
from app.extensions import db
from app.org.models import OrgUnit, UnitKind
from app.progress.models import Certificate, HourEntry, LessonProgress, SourceKind
from app.reports.services import build_unit_report
from benchmarks._report import BENCHMARK_SECRET_KEY, machine_line, write_section

YEAR = 2026
ON = date(2026, 9, 30)
TARGET_MS = 500
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_reports"
LESSONS_PER_COURSE = 5
CHUNK = 20000


def insert_rows(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def generate(args) -> dict:
    """Fill the empty schema; returns the ids the measurements need and the row counts."""
    rng = random.Random(20261122)
    started = datetime(YEAR, 1, 1, 2)
    units = [{"id": 1, "name": "基准集团党委", "kind": UnitKind.COMMITTEE, "parent_id": None, "path": "/1/"}]
    branch_ids = []
    per_committee = args.branches // args.committees
    for committee in range(args.committees):
        committee_id = len(units) + 1
        units.append(
            {
                "id": committee_id,
                "name": f"第{committee + 1}党委",
                "kind": UnitKind.COMMITTEE,
                "parent_id": 1,
                "path": f"/1/{committee_id}/",
            }
        )
        for branch in range(per_committee):
            branch_id = len(units) + 1
            units.append(
                {
                    "id": branch_id,
                    "name": f"第{branch + 1}党支部",
                    "kind": UnitKind.BRANCH,
                    "parent_id": committee_id,
                    "path": f"/1/{committee_id}/{branch_id}/",
                }
            )
            branch_ids.append(branch_id)
    insert_rows(OrgUnit, units)
    users = [
        {
            "id": number + 1,
            "username": f"m{number:05d}",
            "display_name": f"党员{number}",
            "unit_id": branch_ids[number % len(branch_ids)],
            "password_hash": None,
        }
        for number in range(args.members)
    ]
    insert_rows(User, users)
    grants = [{"user_id": user["id"], "role": Role.MEMBER, "unit_id": None} for user in users]
    grants += [
        {"user_id": user["id"], "role": Role.SECRETARY, "unit_id": user["unit_id"]}
        for user in users[: len(branch_ids)]
    ]
    insert_rows(RoleGrant, grants)
    courses, modules, lessons = [], [], []
    for number in range(args.courses):
        course_id = number + 1
        courses.append(
            {
                "id": course_id,
                "slug": f"course-{course_id}",
                "title": f"课程{course_id}",
                "status": CourseStatus.PUBLISHED,
                "credit_hours": Decimal("2"),
            }
        )
        modules.append({"id": course_id, "course_id": course_id, "key": "01", "title": "单元", "position": 1})
        for position in range(LESSONS_PER_COURSE):
            lessons.append(
                {
                    "id": len(lessons) + 1,
                    "course_id": course_id,
                    "module_id": course_id,
                    "key": f"01/{position}",
                    "position": position,
                    "title": f"课时{position}",
                    "kind": LessonKind.TEXT,
                    "completion": CompletionRule.OPENED,
                    "content_hash": str(position),
                    "quiz_settings": {},
                }
            )
    insert_rows(Course, courses)
    insert_rows(Module, modules)
    insert_rows(Lesson, lessons)
    # Five courses required of everyone, two more per committee, due through the year.
    assignments = [
        {
            "course_id": course,
            "unit_id": 1,
            "year": YEAR,
            "required": True,
            "due_date": date(YEAR, 3 * course, 28),
        }
        for course in range(1, 5)
    ]
    for index, committee in enumerate(unit for unit in units if unit["parent_id"] == 1):
        for offset in (0, 1):
            assignments.append(
                {
                    "course_id": 5 + (2 * index + offset) % (args.courses - 5),
                    "unit_id": committee["id"],
                    "year": YEAR,
                    "required": True,
                    "due_date": date(YEAR, 10 + offset, 15),
                }
            )
    insert_rows(Assignment, assignments)
    progress, certificates, entries = [], [], []
    per_member = max(1, args.progress // args.members)
    for user in users:
        diligence = rng.random()
        chosen = rng.sample(range(len(lessons)), min(per_member, len(lessons)))
        for lesson_index in chosen:
            opened = started + timedelta(days=rng.randrange(270), hours=rng.randrange(12))
            done = rng.random() < diligence
            progress.append(
                {
                    "user_id": user["id"],
                    "lesson_id": lesson_index + 1,
                    "first_opened_at": opened,
                    "completed_at": opened + timedelta(minutes=20) if done else None,
                }
            )
        for course in range(1, 12):
            if rng.random() < diligence * 0.8:
                issued = started + timedelta(days=rng.randrange(270))
                certificates.append(
                    {
                        "code": f"B{user['id']}-{course}",
                        "user_id": user["id"],
                        "course_id": course,
                        "holder_name": user["display_name"],
                        "course_title": f"课程{course}",
                        "hours": Decimal("2"),
                        "issued_at": issued,
                    }
                )
                entries.append(
                    {
                        "user_id": user["id"],
                        "year": YEAR,
                        "hours": Decimal("2"),
                        "source_kind": SourceKind.COURSE,
                        "source_id": course,
                        "title": f"课程{course}",
                        "rule_version": "bench",
                        "evidence_ids": [],
                        "created_at": issued,
                    }
                )
        for session in range(rng.randrange(4)):
            entries.append(
                {
                    "user_id": user["id"],
                    "year": YEAR,
                    "hours": Decimal("1.5"),
                    "source_kind": SourceKind.SESSION,
                    "source_id": session + 1,
                    "title": "集中学习",
                    "rule_version": "bench",
                    "evidence_ids": [],
                    "created_at": started + timedelta(days=rng.randrange(270)),
                }
            )
    insert_rows(LessonProgress, progress)
    insert_rows(Certificate, certificates)
    insert_rows(HourEntry, entries)
    db.session.commit()
    # As autovacuum (PostgreSQL) or a DBA (SQLite) would after a bulk load: the planner needs statistics.
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return {
        "branch": branch_ids[len(branch_ids) // 2],
        "counts": {
            "units": len(units),
            "members": len(users),
            "courses": len(courses),
            "lesson progress": len(progress),
            "certificates": len(certificates),
            "ledger entries": len(entries),
        },
    }


def measure(unit_id: int, runs: int) -> tuple[list[float], int, int]:
    """Warm timings in ms, the query count and the member rows of one report."""
    queries = []
    event.listen(db.engine, "before_cursor_execute", lambda *_args: queries.append(1))
    build_unit_report(unit_id, YEAR, ON)  # warm: caches, the database's pages
    timings = []
    for _run in range(runs):
        queries.clear()
        db.session.expire_all()
        started = time.perf_counter()
        report = build_unit_report(unit_id, YEAR, ON)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, len(queries), len(report.members)


def run_backend(name: str, url: str, folder: str, args) -> dict:
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": BENCHMARK_SECRET_KEY}, instance_path=f"{folder}/{name}-instance"
    )
    with app.app_context():
        existing = MetaData()
        existing.reflect(bind=db.engine)
        existing.drop_all(bind=db.engine)
        flask_migrate.upgrade(revision="heads")
        started = time.perf_counter()
        generated = generate(args)
        seconds = time.perf_counter() - started
        branch = measure(generated["branch"], args.runs)
        whole = measure(1, args.runs)
        db.engine.dispose()
    return {
        "name": name,
        "generate": seconds,
        "counts": generated["counts"],
        "branch": branch,
        "whole": whole,
    }


def row(label: str, result: tuple[list[float], int, int]) -> str:
    timings, queries, members = result
    return f"| {label} | {members:,} | {statistics.median(timings):.0f} | {max(timings):.0f} | {queries} |"


def pg_answers(url: str) -> bool:
    import psycopg

    admin = url.replace("+psycopg", "").rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as connection:
            database = url.rsplit("/", 1)[1]
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{database}"')  # our own fixed name, not input
        return True
    except psycopg.OperationalError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--committees", type=int, default=10)
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--courses", type=int, default=50)
    parser.add_argument("--progress", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(run_backend("SQLite", f"sqlite:///{folder}/bench.sqlite3", folder, args))
        print(results[-1])
        if not args.no_pg and pg_answers(args.pg):
            results.append(run_backend("PostgreSQL", args.pg, folder, args))
            print(results[-1])
    counts = results[0]["counts"]
    lines = [
        "## Branch reports (`benchmarks/branch_report.py`)",
        "",
        f"{machine_line()}; command: `.venv/bin/python benchmarks/branch_report.py "
        f"--members {args.members} --branches {args.branches} --progress {args.progress}`.",
        "Generated with a fixed seed through the real migrations: "
        + ", ".join(f"{value:,} {name}" for name, value in counts.items())
        + f". `build_unit_report` timed warm, {args.runs} runs each, judged on {ON.isoformat()}.",
        "",
        "| database · report | members | median ms | max ms | queries |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        lines.append(row(f"{result['name']} · one branch", result["branch"]))
        lines.append(row(f"{result['name']} · whole organisation", result["whole"]))
    worst = max(statistics.median(result["whole"][0]) for result in results)
    slowest = max(max(result["whole"][0]) for result in results)
    same_queries = len({result[key][1] for result in results for key in ("branch", "whole")}) == 1
    lines += [
        "",
        f"Target: the whole-organisation roll-up within {TARGET_MS} ms on both databases: "
        + ("**met**" if worst <= TARGET_MS else "**not met**")
        + f" (worst median {worst:.0f} ms, slowest single run {slowest:.0f} ms); the number of queries is the same for a branch and the whole "
        + "organisation: "
        + ("**yes**" if same_queries else "**no**")
        + ".",
    ]
    if len(results) == 1:
        lines.append("PostgreSQL was not measured: none answered at " + args.pg + ".")
    write_section("branch_report", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
