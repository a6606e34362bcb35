"""Notices (通知公告): secretaries publish to their unit and below; read and acknowledgement receipts;
delivery by e-mail and to the units' group robots (企业微信 / 钉钉) through the job queue."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the notices domain: blueprints, CLI group and jobs."""
    from app.notices import (
        cli,
        jobs,  # noqa: F401 -- the delivery jobs and their every-minute sweep
        views,
    )

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.notices_cli)
