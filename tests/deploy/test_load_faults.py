"""A short run of benchmarks/load.py: load with a web worker and the job worker killed -9 meanwhile.

It needs PostgreSQL and Redis on 127.0.0.1 (as `make deploy-check` does) and is skipped without them.
Its own database, Redis number and port, so it can run beside the benchmark and deploy-check.
"""

import importlib.util
import subprocess
import sys

import pytest

from devtools.stack import ROOT, services_answer

pytestmark = [pytest.mark.slow, pytest.mark.production]


def test_load_with_faults_keeps_every_acknowledged_heartbeat_and_a_clean_record():
    missing = services_answer()
    if missing:
        pytest.skip(f"the load and fault test needs the production services: {missing}")
    # Only looked up, not imported: locust's gevent patches ssl, which breaks any test after it that
    # imported ssl first (the load itself runs locust in a process of its own).
    if importlib.util.find_spec("locust") is None:
        pytest.skip("locust is not installed: pip install -e '.[dev]'")
    # fmt: off
    command = [
        sys.executable, str(ROOT / "benchmarks" / "load.py"),
        "--members", "50", "--secretaries", "2", "--seconds", "40", "--spawn-rate", "25",
        # A video shorter than the run: members complete it while the kills land (issue 19).
        "--video-seconds", "15",
        "--database", "party_school_load_test", "--redis-db", "9", "--port", "18110", "--no-report",
    ]
    # fmt: on
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    for check in (
        "every acknowledged heartbeat is in the database",
        "no error outside the kill window",
        "the transcoding cut off by the kill resumes and ends ready",
        "gunicorn replaced its killed worker",
        "the learning record verifies clean (after at most one repair)",
    ):
        assert f"PASS  {check}" in output, output
