"""How long a committee waits for a roster import: check, write, and re-import of N members.

Usage: .venv/bin/python benchmarks/roster_import.py [--members 5000] [--branches 50]
Runs on a fresh SQLite file in a temporary folder and writes its section of docs/benchmarks.md.
"""

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate

from app import create_app
from app.org import roster
from app.org.services import ensure_unit_path
from benchmarks._report import BENCHMARK_SECRET_KEY, machine_line, write_section

TARGET_SECONDS = 30.0  # a secretary should not wait longer than this for 5,000 members


def build_roster(members: int, branches: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(roster.HEADERS)
    for number in range(members):
        branch = f"基准党委/第{number % 5 + 1}党总支/第{number % branches + 1}党支部"
        writer.writerow([f"党员{number}", f"{100000 + number}", branch, "党员", f"138{number:08d}"])
    return buffer.getvalue().encode("utf-8-sig")


def timed(operation) -> tuple[float, object]:
    started = time.perf_counter()
    result = operation()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--branches", type=int, default=50)
    args = parser.parse_args()
    data = build_roster(args.members, args.branches)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "SECRET_KEY": BENCHMARK_SECRET_KEY},
            instance_path=f"{folder}/instance",
        )
        with app.app_context():
            flask_migrate.upgrade(revision="heads")
            for number in range(args.branches):
                ensure_unit_path(f"基准党委/第{number % 5 + 1}党总支/第{number + 1}党支部")
            check, report = timed(lambda: roster.import_roster(data, "roster.csv", actor=None, dry_run=True))
            assert report.ok, report.errors[:3]
            write, report = timed(lambda: roster.import_roster(data, "roster.csv", actor=None))
            assert len(report.created) == args.members
            again, report = timed(lambda: roster.import_roster(data, "roster.csv", actor=None))
            assert report.unchanged == args.members
    rows = [("check (dry run)", check), ("first import", write), ("re-import, nothing changes", again)]
    verdict = "met" if max(check, write, again) <= TARGET_SECONDS else "NOT met"
    lines = [
        f"## Roster import ({args.members:,} members, {args.branches} branches, SQLite)",
        "",
        f"Measured {machine_line()} by `benchmarks/roster_import.py --members {args.members}`.",
        "",
        "| step | seconds | members per second |",
        "|---|---:|---:|",
        *(f"| {name} | {seconds:.2f} | {args.members / seconds:,.0f} |" for name, seconds in rows),
        "",
        f"Target: each step at most {TARGET_SECONDS:.0f} s for 5,000 members: {verdict}.",
    ]
    write_section("roster-import", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
