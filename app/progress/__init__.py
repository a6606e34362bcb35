"""Learning progress: what each member has opened and completed."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the progress domain: blueprints, CLI group, jobs and listeners."""
    from app.progress import (
        api,
        cli,
        jobs,  # noqa: F401 -- the daily check and repair of the record
        services,
        views,
    )
    from app.quizzes.events import listen_attempt_finished

    app.register_blueprint(views.bp)
    app.register_blueprint(views.public_bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api.lessons_bp)
    app.cli.add_command(cli.progress_cli)
    listen_attempt_finished(services.attempt_finished)  # quiz outcomes complete quiz lessons
