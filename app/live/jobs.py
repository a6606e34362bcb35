"""The live domain's background jobs (thin wrappers over services)."""

import logging

from huey import crontab

from app.jobs import app_task
from app.live import services

log = logging.getLogger(__name__)


@app_task(schedule=crontab(minute="*"))
def close_stale_broadcasts() -> None:
    """End broadcasts whose streaming server went away without telling the app (every minute)."""
    closed = services.close_stale_broadcasts()
    if closed:
        log.warning("live: %d broadcast(s) ended without on_publish_done", closed)


@app_task()
def make_replay(lesson_id: int, path: str) -> None:
    """Turn a finished recording into the lesson's replay video (the library's transcoding follows)."""
    services.make_replay(lesson_id, path)
