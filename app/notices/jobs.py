"""The notices domain's background jobs: thin huey wrappers over app.notices.delivery."""

from huey import crontab

from app.jobs import app_task, on_worker_start
from app.notices import delivery


@app_task()
def deliver_notice(delivery_id: int) -> None:
    """Make one attempt at a notice's delivery (e-mail or a group robot); failures are retried."""
    delivery.attempt_delivery(delivery_id)


@app_task(schedule=crontab(minute="*"))
def retry_due_deliveries() -> int:
    """Every minute: attempt the deliveries whose retry is due and that the queue did not run."""
    return delivery.retry_due()


@on_worker_start
def retry_interrupted_deliveries() -> int:
    """Attempt the deliveries a crash or restart left pending and due."""
    return delivery.retry_due()
