"""`flask backup create DIR` and `flask backup restore DIR`."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.backup.services import create_backup, restore_backup
from app.errors import DomainError

backup_cli = AppGroup("backup", help="Back up and restore the database and media.")


@backup_cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def create(directory: Path) -> None:
    """Write the database, the media files and a manifest into DIRECTORY (new or empty)."""
    try:
        summary = create_backup(directory)
    except DomainError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    click.echo(
        f"backup written to {summary.path}: revision {summary.revision}, {summary.files} files, "
        f"{sum(summary.counts.values())} rows"
    )


@backup_cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(directory: Path) -> None:
    """Replace this site's database and media with the backup in DIRECTORY; rebuild the search index."""
    try:
        summary = restore_backup(directory)
    except DomainError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    click.echo(f"restored {summary.path}: revision {summary.revision}, {sum(summary.counts.values())} rows")
