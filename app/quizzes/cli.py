"""`flask quizzes ...`: move question banks in and out as GIFT, Excel or JSON."""

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.quizzes.services import banks

quizzes_cli = AppGroup("quizzes", help="Question banks: GIFT and Excel import and export.")


def _bank(name: str, create: bool):
    bank = banks.find_bank(name)
    if bank is None and create:
        bank = banks.create_bank(name, created_by=None)
        click.echo(f"created bank {bank.name}")
    if bank is None:
        raise click.ClickException(f"no question bank named {name!r}")
    return bank


def _report(report: banks.ImportReport, kind: str) -> None:
    for number, message in report.errors:
        click.echo(f"{kind} {number}: {message}", err=True)
    if report.errors and (report.strict or not report.created):
        raise click.ClickException(f"{len(report.errors)} item(s) cannot be imported; nothing was imported")
    click.echo(
        f"imported {report.created} question(s)"
        + (f", skipped {len(report.errors)}" if report.errors else "")
    )


@quizzes_cli.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_name", required=True, help="The bank to import into (created if missing).")
@click.option("--strict", is_flag=True, help="Import nothing (and exit non-zero) when any item is bad.")
def import_gift(file: Path, bank_name: str, strict: bool) -> None:
    """Import the Moodle GIFT FILE; every item that cannot be taken is reported with its line."""
    try:
        bank = _bank(bank_name, create=True)
        report = banks.import_gift(bank, banks.decode_upload(file.read_bytes()), strict=strict)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    _report(report, "line")


@quizzes_cli.command("import-excel")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_name", required=True, help="The bank to import into (created if missing).")
def import_excel(file: Path, bank_name: str) -> None:
    """Import an .xlsx FILE (题型, 题干, 选项A…F, 答案, 解析, 分类); nothing is written when any row is bad."""
    try:
        bank = _bank(bank_name, create=True)
        report = banks.import_excel(bank, file.read_bytes())
    except DomainError as error:
        raise click.ClickException(error.message) from error
    _report(report, "row")


@quizzes_cli.command("export-bank")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per question.")
@click.option(
    "--xlsx", "xlsx_file", type=click.Path(dir_okay=False, path_type=Path), help="Write an .xlsx file."
)
def export_bank(name: str, as_json: bool, xlsx_file: Path | None) -> None:
    """Print the bank NAME as GIFT (default) or JSON, or write it as an Excel file."""
    bank = _bank(name, create=False)
    if xlsx_file:
        xlsx_file.write_bytes(banks.export_excel(bank))
        click.echo(f"wrote {xlsx_file}")
    elif as_json:
        click.echo(json.dumps(banks.export_json(bank), ensure_ascii=False, indent=2))
    else:
        click.echo(banks.export_gift(bank), nl=False)
