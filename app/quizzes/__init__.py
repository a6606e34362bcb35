"""Question banks (GIFT and Excel), quizzes, attempts, grading and daily practice."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the quizzes domain: blueprints, CLI group, jobs and listeners."""
    from app.quizzes import (
        api,
        authoring_views,
        cli,
        jobs,  # noqa: F401 -- overdue attempts closed every minute
        views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(authoring_views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.quizzes_cli)
