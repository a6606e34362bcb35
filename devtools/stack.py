"""The production stack on loopback, shared by `make deploy-check`, the load-fault test and benchmarks/load.py.

gunicorn (docs/deploy/gunicorn.conf.py) and the job worker (`flask worker`) against a PostgreSQL
database of their own (dropped and created again) and a Redis database number of their own (flushed),
with media, search index and course folders in a scratch folder. nginx is started by deploy_check.
"""

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def services_answer() -> str | None:
    """None when PostgreSQL and Redis answer on loopback, else what is missing (for a skip message)."""
    for name, port in (("PostgreSQL", PG_PORT), ("Redis", REDIS_PORT)):
        with socket.socket() as sock:
            sock.settimeout(2)
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return f"{name} does not answer on 127.0.0.1:{port}"
    return None


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port} after {seconds} s")


@dataclass
class Stack:
    """One stack's settings and processes; ``env`` is what every process of it runs with."""

    folder: Path
    database: str
    redis_db: int
    gunicorn_port: int
    extra_env: dict = field(default_factory=dict)
    processes: list = field(default_factory=list)
    gunicorn: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None

    @property
    def database_url(self) -> str:
        return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.database}"

    @property
    def redis_url(self) -> str:
        return f"redis://{REDIS_HOST}:{REDIS_PORT}/{self.redis_db}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.gunicorn_port}"

    @property
    def env(self) -> dict:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "SECRET_KEY": f"{self.database}-secret-key-of-the-local-test-stack",
            "MEDIA_ROOT": str(self.folder / "media"),
            "SEARCH_INDEX_DIR": str(self.folder / "search_index"),
            "GUNICORN_BIND": f"127.0.0.1:{self.gunicorn_port}",
            "GUNICORN_ACCESSLOG": str(self.folder / "gunicorn-access.log"),
            "GUNICORN_ERRORLOG": str(self.folder / "gunicorn-error.log"),
            **self.extra_env,
        }

    def make_folders(self, *extra: str) -> None:
        for name in ("media", "search_index", "instance", *extra):
            (self.folder / name).mkdir(parents=True, exist_ok=True)

    def reset(self) -> None:
        """A fresh database and an empty Redis database."""
        psql = ["psql", "-h", PG_HOST, "-U", PG_USER, "-q", "-c"]
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)"], check=True)
        subprocess.run([*psql, f"CREATE DATABASE {self.database}"], check=True)
        subprocess.run(["redis-cli", "-n", str(self.redis_db), "flushdb"], check=False, capture_output=True)

    def flask(self, *args: str) -> str:
        return subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def psql(self, sql: str) -> str:
        """One SQL statement's rows as psql prints them unaligned (columns split by |)."""
        return subprocess.run(
            ["psql", "-h", PG_HOST, "-U", PG_USER, "-d", self.database, "-tAc", sql],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def start_gunicorn(self) -> subprocess.Popen:
        self.gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "docs/deploy/gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=self.env
        )
        self.processes.append(self.gunicorn)
        return self.gunicorn

    def start_worker(self, log: Path | None = None) -> subprocess.Popen:
        """`flask worker` in its own process group (ffmpeg included), as systemd's cgroup holds it."""
        output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (the child keeps it)
        self.worker = subprocess.Popen(
            [str(BIN / "flask"), "--app", "wsgi", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(self.worker)
        return self.worker

    def gunicorn_workers(self) -> list[int]:
        """The pids of the master's worker processes (its children)."""
        pid = self.gunicorn.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def kill_worker(self) -> None:
        """kill -9 the job worker and everything it started (ffmpeg), as a crash under systemd would."""
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.processes.remove(self.worker)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
