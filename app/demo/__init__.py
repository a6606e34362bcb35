"""Demo content: the organisation, accounts, course, library and a year of study for `make run`."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the demo domain: CLI group."""
    from app.demo import cli

    app.cli.add_command(cli.demo_cli)
