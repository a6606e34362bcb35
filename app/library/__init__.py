"""The theory library: documents, collections, the whoosh index, search and reading."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the library domain: blueprints, CLI group, jobs."""
    from app.library import (
        api,
        cli,
        jobs,  # noqa: F401 -- the index tasks, known to huey (and to app.jobs.enqueue) once imported
        views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.library_cli)
