"""The progress domain's background jobs (thin wrappers over services)."""

import logging

from huey import crontab

from app.jobs import app_task
from app.progress import ledger, verify

log = logging.getLogger(__name__)


# 20:30 UTC is 04:30 in China: the record is made right before anyone studies or reads a report.
@app_task(schedule=crontab(hour="20", minute="30"))
def daily_repair() -> None:
    """Repair this year's record (what `flask progress repair` does) and log each repair."""
    repaired = verify.repair(ledger.local_year())
    for violation in repaired:
        log.warning("progress repair: %s", violation)
    log.info("progress repair: %d violation(s) repaired", len(repaired))
