"""How long `make test` takes on a clean clone, leg by leg (issue 20: at most 12 minutes).

Usage: .venv/bin/python benchmarks/suite_time.py [--rev HEAD] [--limit-minutes 12]

Clones this repository at ``--rev`` into a temporary folder beside it and runs `.ci/run` there as CI does
(installing into a new virtual environment, then both legs in parallel), reads the wall-clock time
each leg prints ("== test leg 1/2 (SQLite) took 9 min 42 s (wall clock) =="), and writes its section
of docs/benchmarks.md. Run it on a quiet machine: the legs share its two cores.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._report import machine_line, write_section

ROOT = Path(__file__).resolve().parent.parent
LEG_TIME = re.compile(r"== test leg (\d)/2 \(([^)]+)\) took (?:(\d+) min )?(\d+) s \(wall clock\) ==")
FAILURE = re.compile(r"^(FAILED|ERROR) |^=+ .*(failed|error)|== test leg")
LEG_REPORT = re.compile(r"^=+ (.*(?:passed|failed).*) in [\d.]+s", re.M)


def run_ci(rev: str) -> tuple[str, int, float]:
    """Run .ci/run on a clean clone of ``rev``; its output, exit status and wall-clock seconds."""
    # Beside this checkout, as CI's clone is: the tests read ../shared (the third-party fixtures).
    with tempfile.TemporaryDirectory(prefix="suite-time-", dir=ROOT.parent) as folder:
        clone = Path(folder)  # git clones into an empty folder
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", rev], check=True)
        started = time.monotonic()
        done = subprocess.run(
            ["bash", ".ci/run"],
            cwd=clone,
            env=os.environ | {"CI": "true"},
            capture_output=True,
            text=True,
        )
        return done.stdout + done.stderr, done.returncode, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--limit-minutes", type=float, default=12)
    args = parser.parse_args()
    rev = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.rev], check=True, capture_output=True, text=True
    ).stdout.strip()
    load_before = os.getloadavg()[0]
    output, status, total = run_ci(rev)
    legs = [
        (name, int(minutes or 0) * 60 + int(seconds))
        for _number, name, minutes, seconds in LEG_TIME.findall(output)
    ]
    reports = LEG_REPORT.findall(output)
    if status != 0 or not legs:
        print("\n".join(line for line in output.splitlines() if FAILURE.match(line)) or output[-4000:])
        print(f".ci/run failed (exit {status}) or printed no leg times", file=sys.stderr)
        return 1
    limit = args.limit_minutes * 60
    rows = [
        f"| {name} | {seconds // 60} min {seconds % 60:02d} s | {report} | "
        f"{'met' if seconds <= limit else 'NOT met'} |"
        for (name, seconds), report in zip(legs, reports + [""] * len(legs), strict=False)
    ]
    body = "\n".join(
        [
            "## Test suite time (`benchmarks/suite_time.py`)",
            "",
            f"{machine_line()}; commit {rev}; a clean clone's `.ci/run` (install included: "
            f"{total / 60:.1f} min in all), both legs in parallel; load average before: {load_before:.2f}.",
            f"Target: each leg at most {args.limit_minutes:g} minutes (issue 20).",
            "",
            "| leg | wall clock | tests | target |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    write_section("suite-time", body)
    print(body)
    return 0 if all(seconds <= limit for _name, seconds in legs) else 1


if __name__ == "__main__":
    sys.exit(main())
