"""Branch reports: figures rolled up the organisation tree, dashboards, exports and the report API."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the reports domain: blueprints, CLI group, jobs and listeners."""
    from app.progress.reminders import add_reminder_source
    from app.progress.verify import add_check
    from app.reports import (
        api,
        cli,
        reminders,
        schedule_views,
        schedules,  # noqa: F401 -- the daily reports and reminders task
        services,
        views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(schedule_views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.reports_cli)
    add_check(services.total_mismatches)  # `flask progress verify`: report totals equal the ledger's
    add_reminder_source(reminders.page_reminders)  # 我的学习 shows the member's reminders
