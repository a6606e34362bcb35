"""The theory library: documents, collections, the whoosh index, search and reading."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the library domain: blueprints, CLI group."""
    from app.library import api, cli, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.library_cli)
