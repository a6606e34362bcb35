"""Live lessons (直播党课): RTMP in through nginx, signed HLS out, attendance, questions, replay."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the live domain: blueprints, CLI group and jobs."""
    from app.live import (
        api,
        cli,
        jobs,  # noqa: F401 -- its tasks (live.make_replay, the stale broadcasts' sweep), known once imported
        views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.live_cli)
