"""`flask media ...`: add video files from disk, as course folders reference them."""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.media import services

media_cli = AppGroup("media", help="Manage uploaded videos.")


@media_cli.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--user", "username", help="The account recorded as the uploader.")
def import_videos(files: tuple[Path, ...], username: str | None) -> None:
    """Add video FILES, checked and transcoded like uploads; the same file twice is one video."""
    uploader = None
    if username:
        uploader = db.session.scalar(select(User).where(User.username == username))
        if uploader is None:
            raise click.ClickException(f"no account named {username}")
    refused = 0
    for path in files:
        try:
            video, created = services.import_video_file(path, uploader)
        except DomainError as error:
            refused += 1
            click.echo(f"refused {path}: {error.message}", err=True)
            continue
        state = "added" if created else "exists"
        click.echo(f"{state} {path} as video {video.id} ({video.status.value})")
    if refused:
        raise click.ClickException(f"{refused} of {len(files)} file(s) refused")
