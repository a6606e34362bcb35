"""The theory library: documents, collections, the whoosh index, search and reading."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the library domain: blueprints, CLI group, jobs, its answers to media."""
    from app.library import (
        api,
        cli,
        jobs,  # noqa: F401 -- the index tasks, known to huey (and to app.jobs.enqueue) once imported
        resource_views,
        resources,
        views,
    )
    from app.media import subtitles, usage

    app.register_blueprint(views.bp)
    app.register_blueprint(resource_views.bp)
    usage.listen_video_usage(
        resources.count_video_uses, resources.video_shown_to
    )  # videos shown as resources
    subtitles.listen_subtitles_changed(resources.reindex_video_resources)  # their words are searched
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.library_cli)
