"""Attempt limits hold under real concurrency: parallel starts through two gunicorn workers.

The database's own keys decide (the unique attempt number and the one-open-attempt index), so this
runs against the test database of each leg: the SQLite file, and PostgreSQL on the PostgreSQL leg
(not marked slow for that reason).
"""

import re
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.quizzes.models import Attempt, AttemptStatus
from tests.factories.auth import PASSWORD, make_user
from tests.factories.quizzes import make_quiz, single
from tests.web import CSRF_PATTERN

ROOT = Path(__file__).resolve().parents[2]
PARALLEL_STARTS = 20
MEMBERS = 12


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def two_workers(migrated_database, tmp_path):
    """gunicorn with two worker processes serving the leg's test database; its base URL."""
    port = free_port()
    env = {
        "PATH": str(ROOT / ".venv" / "bin") + ":/usr/bin:/bin",
        "DATABASE_URL": migrated_database,
        "SECRET_KEY": "attempt-race-test-secret-key-0123456789",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        "COURSES_DIR": str(tmp_path / "courses"),
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            # Two workers of four threads each: eight starts are served at the same moment. The
            # members' connections idle while the others sign in (long on a busy machine): kept open,
            # a start is never sent on one gunicorn is closing (its default keep-alive is 2 s), which
            # answered a connection reset now and then.
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "-w",
                "2",
                "--threads",
                "4",
                "--keep-alive",
                "300",
                "-b",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base}/login", timeout=10)
                break
            except requests.RequestException:
                assert server.poll() is None, log.read_text()[-2000:]
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def signed_in(base: str, username: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=PARALLEL_STARTS))
    token = CSRF_PATTERN.search(session.get(f"{base}/login").text).group(1)
    answer = session.post(
        f"{base}/login", data={"username": username, "password": PASSWORD, "csrf_token": token}, timeout=30
    )
    assert answer.ok and "/login" not in answer.url, answer.text[:500]
    token = CSRF_PATTERN.search(session.get(f"{base}/", timeout=30).text).group(1)
    return session, token


def test_parallel_starts_of_a_one_attempt_quiz_open_exactly_one_attempt(app, two_workers):
    with app.app_context():
        names = [
            make_user(f"racer{number}", unit_path="甲党委/第一党支部").username for number in range(MEMBERS)
        ]
        quiz_id = make_quiz([single()], attempts_allowed=1).id
    sessions = [signed_in(two_workers, name) for name in names]

    def start(session_and_token) -> int:
        session, token = session_and_token
        return session.post(
            f"{two_workers}/quizzes/{quiz_id}/start",
            data={"csrf_token": token},
            allow_redirects=False,
            timeout=60,
        ).status_code

    with ThreadPoolExecutor(max_workers=PARALLEL_STARTS * 2) as pool:
        statuses = list(pool.map(start, [s for s in sessions for _ in range(PARALLEL_STARTS)]))
    assert set(statuses) == {302}  # every start answered: the attempt, or the quiz page saying why not
    with app.app_context():
        per_member = db.session.execute(
            select(Attempt.member_id, func.count(Attempt.id), func.max(Attempt.number))
            .where(Attempt.quiz_id == quiz_id)
            .group_by(Attempt.member_id)
        ).all()
        assert len(per_member) == MEMBERS
        assert all(count == 1 and highest == 1 for _member, count, highest in per_member)
        assert (
            db.session.scalar(select(func.count(Attempt.id)).where(Attempt.status == AttemptStatus.OPEN))
            == MEMBERS
        )
    for session, _token in sessions:  # and each member sees that one attempt as theirs
        page = session.get(f"{two_workers}/quizzes/{quiz_id}", timeout=30).text
        assert len(re.findall(r"/quizzes/attempts/\d+", page)) >= 1
