"""The organisation tree: units, membership history, the roster."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the org domain: blueprints, CLI groups (`flask org`, `flask users`)."""
    from app.org import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.org_cli)
    app.cli.add_command(cli.users_cli)
