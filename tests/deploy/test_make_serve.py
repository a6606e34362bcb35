"""`make run`'s serving step: says it is the development server, and Ctrl-C or SIGTERM stops it cleanly.

make runs with this checkout's Makefile against the project's virtual environment (VENV=) and a
database in tmp_path; nothing is installed.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

VENV = Path(sys.executable).parent.parent
DATABASE_FILE = "serve.sqlite3"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def listens(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def site_env(folder: Path) -> dict[str, str]:
    """The environment of a site whose database and data folders are in ``folder``."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / DATABASE_FILE}",
        "MEDIA_ROOT": str(folder / "media"),
        "SEARCH_INDEX_DIR": str(folder / "index"),
        "COURSES_DIR": str(folder / "courses"),
        "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3"),
        "SECRET_KEY": "serve-test-" + "0" * 40,
        "LIVE_NGINX_PREFIX": str(folder / "live-nginx"),
    }
    env.pop("TEST_DATABASE_URL", None)
    return env


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    """A database file migrated as `make run` migrates it (`flask db upgrade`), once for the module."""
    folder = tmp_path_factory.mktemp("migrated")
    flask = [str(VENV / "bin" / "flask"), "--app", "wsgi"]
    subprocess.run(
        [*flask, "db", "upgrade"], cwd=PROJECT_ROOT, env=site_env(folder), check=True, capture_output=True
    )
    return folder / DATABASE_FILE


def start_serving(tmp_path: Path, port: int, migrated_database: Path) -> subprocess.Popen:
    env = site_env(tmp_path)
    shutil.copyfile(migrated_database, tmp_path / DATABASE_FILE)
    hls_port = free_port()
    process = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            f"VENV={VENV}",
            f"PORT={port}",
            f"LIVE_RTMP_PORT={free_port()}",
            f"LIVE_HTTP_PORT={hls_port}",
            "serve",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job has
        # A terminal delivers Ctrl-C to processes that do not ignore it (the test runner might).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 90
    while not answers(f"http://127.0.0.1:{port}/login") or not listens(hls_port):
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, "the development or the streaming server did not answer"
        time.sleep(0.5)
    return process


def stopped(process: subprocess.Popen, port: int) -> str:
    output, _unused = process.communicate(timeout=60)
    assert not answers(f"http://127.0.0.1:{port}/login")
    return output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("who", "sent"),
    [
        ("group", signal.SIGINT),  # Ctrl-C in the terminal: make, its shell and the servers get it
        ("make", signal.SIGTERM),  # a service manager or `kill` stopping make
    ],
)
def test_make_serve_says_what_it_serves_and_stops_cleanly(tmp_path, migrated_database, who, sent):
    port = free_port()
    process = start_serving(tmp_path, port, migrated_database)
    if who == "group":
        os.killpg(process.pid, sent)
    else:
        process.send_signal(sent)
    output = stopped(process, port)
    assert "development server" in output and "docs/deploy.md" in output
    assert "Stopped the web server, the job worker and the streaming server." in output
    assert "Live lessons: RTMP in at rtmp://127.0.0.1:" in output
    assert "Error" not in output and "Interrupt" not in output, output  # no "make: *** [run] Error 143"
    leftovers = subprocess.run(
        ["pgrep", "-f", f"--port {port}"], capture_output=True, text=True
    ).stdout.split()
    assert leftovers == []
    # The streaming server ran from the configuration generated in the instance folder, and stopped.
    prefix = tmp_path / "live-nginx"
    assert (prefix / "nginx.conf").is_file()
    assert not (prefix / "nginx.pid").exists()
