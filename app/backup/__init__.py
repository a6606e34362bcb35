"""Backup and restore of the database, the media files and (rebuilt on restore) the search index."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the backup domain: CLI group."""
    from app.backup import cli

    app.cli.add_command(cli.backup_cli)
