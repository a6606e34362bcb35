"""`flask org ...`: build and show the organisation tree from the command line."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.org import services
from app.org.models import OrgUnit

org_cli = AppGroup("org", help="Manage the organisation tree.")


@org_cli.command("add")
@click.argument("path")
def add_unit(path: str) -> None:
    """Create the unit at PATH (such as 机关党委/第一党支部), with any missing levels."""
    try:
        unit, created = services.ensure_unit_path(path)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    if created:
        click.echo(f"created {services.name_path(unit)} (id {unit.id}, {created} new level(s))")
    else:
        click.echo(f"exists {services.name_path(unit)} (id {unit.id})")


@org_cli.command("tree")
def show_tree() -> None:
    """Print the organisation tree with member counts."""
    units = list(db.session.scalars(select(OrgUnit)))
    if not units:
        click.echo("(no units yet: create one with `flask org add PATH`)")
    for unit, depth in services.tree_rows(units):
        click.echo(f"{'  ' * depth}{unit.name}  [{unit.kind.value}, {len(unit.members)} members]")
