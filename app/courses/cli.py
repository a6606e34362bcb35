"""`flask courses ...`: import, sync and export course folders."""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth.models import User
from app.courses import importer
from app.courses.errors import CourseError
from app.courses.models import Course
from app.extensions import db

courses_cli = AppGroup("courses", help="Import, sync and export course folders.")


def _owner(username: str | None) -> User | None:
    if not username:
        return None
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise click.ClickException(f"no account named {username}")
    return user


def _describe(result: importer.ImportResult) -> str:
    slug = result.course.slug
    if result.created:
        return f"created {slug}: {len(result.added)} lesson(s)"
    if not result.changed:
        return f"unchanged {slug}"
    return (
        f"updated {slug}: {len(result.added)} added, {len(result.updated)} updated, "
        f"{len(result.removed)} removed lesson(s)"
    )


@courses_cli.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--owner", help="Username of the trainer who owns a newly created course.")
def import_command(path: Path, owner: str | None) -> None:
    """Import the course folder at PATH (running it again changes nothing)."""
    try:
        result = importer.import_course(path, _owner(owner))
    except CourseError as error:
        raise click.ClickException(error.message) from error
    click.echo(_describe(result))


@courses_cli.command("sync")
@click.option("--owner", help="Username of the trainer who owns newly created courses.")
def sync_command(owner: str | None) -> None:
    """Import every course folder in COURSES_DIR; exit non-zero when any folder has errors."""
    report = importer.sync_courses(_owner(owner))
    for result in report.results:
        click.echo(_describe(result))
    for error in report.errors:
        click.echo(f"error: {error.message}", err=True)
    if not report.results and not report.errors:
        click.echo(f"no course folders in {importer.courses_dir()}")
    if report.errors:
        raise SystemExit(1)


@courses_cli.command("export")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(slug: str, directory: Path) -> None:
    """Write the course SLUG into DIRECTORY/SLUG in the course folder format."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"no course with the slug {slug}")
    try:
        folder = importer.export_course(course, directory)
    except CourseError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"exported {slug} to {folder}")
