"""`flask progress ...`: a member's ledger, corrections, rules, targets, the xAPI export, and the
record's check and repair."""

import json
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth.models import Role, User
from app.errors import DomainError
from app.extensions import db
from app.org.services import find_unit_by_name_path
from app.progress import ledger, verify
from app.progress.models import RuleKind
from app.progress.statements import export_xapi

progress_cli = AppGroup("progress", help="Study hours: the ledger, corrections, rules and targets.")


def _user(username: str) -> User:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise click.ClickException(f"no account named {username!r}")
    return user


def _unit(path: str):
    unit = find_unit_by_name_path(path)
    if unit is None:
        raise click.ClickException(f"no unit at {path!r}")
    return unit


@progress_cli.command("ledger")
@click.argument("username")
@click.option("--year", type=int, default=None, help="Calendar year (this year by default).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def show_ledger(username: str, year: int | None, as_json: bool) -> None:
    """Print USERNAME's 学时台账 for a year: each entry and the total against the target."""
    report = ledger.ledger_report(_user(username), year or ledger.local_year())
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(f"{report['name']} ({report['username']}) {report['year']}")
    for entry in report["entries"]:
        evidence = ",".join(str(i) for i in entry["evidence_ids"]) or "-"
        click.echo(
            f"{entry['date']}  {entry['source']:<10} {entry['hours']:>6}  {entry['rule_version']:<14} "
            f"evidence {evidence}  {entry['title']}"
        )
    click.echo(f"total {report['total']} / target {report['target']}")


@progress_cli.command("correct")
@click.argument("username")
@click.argument("hours")
@click.option("--reason", required=True, help="Why the ledger is corrected (kept with the entry).")
@click.option("--by", "by_username", required=True, help="The trainer or admin making the correction.")
@click.option("--year", type=int, default=None)
def correct(username: str, hours: str, reason: str, by_username: str, year: int | None) -> None:
    """Append a signed correction of HOURS (negative to remove) to USERNAME's ledger."""
    try:
        entry = ledger.add_correction(
            _user(username), hours, reason, year or ledger.local_year(), _user(by_username)
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"entry {entry.id}: {entry.hours} hours for {username} in {entry.year}")


@progress_cli.command("set-rule")
@click.argument("unit_path")
@click.option("--kind", type=click.Choice([kind.value for kind in RuleKind]), required=True)
@click.option("--band", "bands", multiple=True, help="MINUTES=HOURS, such as 30=1 (repeat).")
@click.option("--exam-hours", default="0.5")
@click.option("--session-minutes-per-hour", type=int, default=45)
def set_rule(
    unit_path: str, kind: str, bands: tuple[str, ...], exam_hours: str, session_minutes_per_hour: int
):
    """Add a new version of the conversion rule of the unit at UNIT_PATH (inherited below it)."""
    try:
        parsed = ledger.parse_bands("\n".join(bands)) if bands else None
    except DomainError as error:
        raise click.ClickException(f"give bands as MINUTES=HOURS, such as 30=1: {error.message}") from error
    try:
        rule = ledger.set_rule(
            _unit(unit_path), RuleKind(kind), None, parsed, exam_hours, session_minutes_per_hour
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"rule {rule.label}: {rule.kind.value}")


@progress_cli.command("set-target")
@click.argument("unit_path")
@click.argument("hours")
@click.option("--role", type=click.Choice([Role.MEMBER.value, Role.SECRETARY.value]), default="member")
@click.option("--year", type=int, default=None)
def set_target(unit_path: str, hours: str, role: str, year: int | None) -> None:
    """Set the annual target of HOURS for a role in the unit at UNIT_PATH and below it."""
    try:
        target = ledger.set_target(_unit(unit_path), Role(role), year or ledger.local_year(), hours, None)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"target {ledger.format_hours(target.hours)} for {role} in {unit_path}, {target.year}")


@progress_cli.command("xapi")
@click.argument("username")
def xapi(username: str) -> None:
    """Print USERNAME's learning statements as xAPI JSON."""
    click.echo(json.dumps(export_xapi(_user(username)), ensure_ascii=False, indent=2))


def _scope(unit_path: str | None, year: int | None):
    return (_unit(unit_path) if unit_path else None), (year or ledger.local_year())


@progress_cli.command("verify")
@click.option("--unit", "unit_path", default=None, help="Only members of this unit's subtree (a name path).")
@click.option("--year", type=int, default=None, help="Calendar year (this year by default).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of violations.")
def verify_record(unit_path: str | None, year: int | None, as_json: bool) -> None:
    """Check the record's invariants; print every violation; exit 1 when there is any."""
    unit, year = _scope(unit_path, year)
    found = verify.verify(year, unit)
    if as_json:
        click.echo(json.dumps([violation.as_json() for violation in found], ensure_ascii=False, indent=2))
    else:
        for violation in found:
            click.echo(str(violation))
        click.echo(f"{len(found)} violation(s) in {year}", err=True)
    sys.exit(1 if found else 0)


@progress_cli.command("repair")
@click.option("--unit", "unit_path", default=None, help="Only members of this unit's subtree (a name path).")
@click.option("--year", type=int, default=None, help="Calendar year (this year by default).")
@click.option("--dry-run", is_flag=True, help="Print what would be repaired; change nothing.")
def repair_record(unit_path: str | None, year: int | None, dry_run: bool) -> None:
    """Make right what `progress verify` finds (idempotent; each repair is audited)."""
    unit, year = _scope(unit_path, year)
    repaired = verify.repair(year, unit, dry_run=dry_run)
    for violation in repaired:
        click.echo(("would repair\t" if dry_run else "repaired\t") + str(violation))
    click.echo(f"{len(repaired)} {'to repair' if dry_run else 'repaired'} in {year}")
