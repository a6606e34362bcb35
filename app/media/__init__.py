"""Videos: uploads, ffmpeg probing and transcoding jobs, subtitles, range streaming."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the media domain: blueprints, CLI group, jobs and listeners."""
    from app.media import (
        api,
        cli,
        jobs,  # noqa: F401 -- the transcoding tasks, known to huey (and to app.jobs.enqueue) once imported
        views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.media_cli)
