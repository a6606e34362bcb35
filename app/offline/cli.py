"""`flask offline …`: draw the app's icons."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.offline.icons import ICON_SIZES, draw_icon

offline_cli = AppGroup("offline", help="The installable app and offline study.")


@offline_cli.command("icons")
def icons_command():
    """Draw the app's PNG icons into app/static/icons (committed; run again after changing the design)."""
    folder = Path(str(current_app.static_folder)) / "icons"
    folder.mkdir(exist_ok=True)
    for name, size, maskable in ICON_SIZES:
        draw_icon(size, maskable).save(folder / name, optimize=True)
        click.echo(f"wrote {folder / name}")
