"""`flask org ...`: build and show the organisation tree; `flask users ...`: accounts and rosters.

The ``users`` group lives with the org domain because an account is created placed in a unit and a
roster is a list of members by unit (auth, below org, imports neither).
"""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import services as accounts
from app.auth.models import Role
from app.errors import DomainError
from app.extensions import db
from app.org import roster, services
from app.org.accounts import create_account
from app.org.models import OrgUnit
from app.org.services import find_unit_by_name_path

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


# --- `flask users ...` ------------------------------------------------------------------------------

users_cli = AppGroup("users", help="Manage accounts and rosters.")


@users_cli.command("create")
@click.argument("username")
@click.option("--password", required=True, help="At least 10 characters, not a common password.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="Repeat for several roles; a secretary is scoped to --unit.",
)
@click.option("--unit", "unit_path", help="Organisation path, such as 机关党委/第一党支部.")
@click.option("--name", "display_name", help="Display name (defaults to the username).")
def create_user(
    username: str, password: str, roles: tuple[str, ...], unit_path: str | None, display_name: str | None
):
    """Create the account USERNAME."""
    unit = None
    if unit_path:
        unit = find_unit_by_name_path(unit_path)
        if unit is None:
            raise click.ClickException(f"no unit {unit_path!r}: create it first with `flask org add`")
    try:
        user = create_account(
            username, display_name or username, unit, [Role(role) for role in roles], password=password
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"created {user.username} ({', '.join(sorted(r.value for r in user.roles))})")


@users_cli.command("set-email")
@click.argument("username")
@click.argument("address")
def set_email(username: str, address: str):
    """Set the e-mail address of USERNAME for reports and reminders ("" clears it)."""
    user = accounts.get_user_by_username(username)
    if user is None:
        raise click.ClickException(f"no account {username!r}")
    try:
        accounts.set_email(user, address)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"{user.username}: {user.email or 'no e-mail address'}")


@users_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
def import_users(file: Path, dry_run: bool) -> None:
    """Import a roster FILE (.xlsx or .csv); nothing is written when any row is bad."""
    try:
        report = roster.import_roster(file.read_bytes(), file.name, actor=None, dry_run=dry_run)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    for row_number, message in report.errors:
        click.echo(f"row {row_number}: {message}", err=True)
    if not report.ok:
        raise click.ClickException(f"{len(report.errors)} bad row(s); nothing was imported")
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{report.rows} rows: {len(report.created)} {verb} created, {len(report.updated)} {verb} updated, "
        f"{report.unchanged} unchanged"
    )
    if report.created and not dry_run:
        click.echo(
            "New accounts have no password yet: an admin sets one (Accounts page) before they sign in."
        )


@users_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_users(file: Path) -> None:
    """Write every member to FILE (.xlsx or .csv) in the import layout."""
    try:
        data = roster.export_roster(roster.members_for_export(None), file.name)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    file.write_bytes(data)
    click.echo(f"wrote {file}")
