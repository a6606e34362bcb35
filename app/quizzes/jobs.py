"""The quiz domain's background jobs (thin wrappers over services)."""

import logging

from huey import crontab

from app.jobs import app_task
from app.quizzes.services.attempts import close_overdue_attempts

log = logging.getLogger(__name__)


@app_task(schedule=crontab(minute="*"))
def close_overdue() -> None:
    """Every minute: finish the attempts whose deadline passed, so their outcome reaches progress
    even when nobody opens them again."""
    closed = close_overdue_attempts()
    if closed:
        log.info("closed %d overdue quiz attempt(s) at their deadline", closed)
