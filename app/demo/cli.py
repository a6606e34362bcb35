"""`flask demo load`: the demo content that `make run` shows."""

import click
from flask.cli import AppGroup

from app.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo

demo_cli = AppGroup("demo", help="Demo content.")


@demo_cli.command("load")
def load() -> None:
    """Load the demo organisation and one account per role (once; later runs change nothing)."""
    if not load_demo():
        click.echo("demo content already loaded")
        return
    click.echo(f"demo content loaded; every demo account's password is {DEMO_PASSWORD}")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.username:<10} {', '.join(role.value for role in account.roles)}")
