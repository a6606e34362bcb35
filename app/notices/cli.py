"""`flask notices deliver-due`: attempt the notice deliveries that are due (for cron, without a worker)."""

import click
from flask.cli import AppGroup

from app.notices import delivery

notices_cli = AppGroup("notices", help="Notices: delivery by e-mail and to the units' group robots.")


@notices_cli.command("deliver-due")
def deliver_due() -> None:
    """Attempt every pending delivery whose (re)try is due; the worker does this every minute."""
    count = delivery.retry_due()
    click.echo(f"{count} delivery attempt(s) made")
