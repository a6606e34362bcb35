"""`flask reports unit PATH --year YYYY --format json|csv|xlsx [--output FILE]`."""

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from app.org.services import find_unit_by_name_path
from app.progress import ledger
from app.reports import exports, schedules, services

reports_cli = AppGroup("reports", help="Branch reports: a unit's figures rolled up its subtree.")


@reports_cli.command("unit")
@click.argument("path")
@click.option("--year", type=click.IntRange(2000, 2100), help="The study year (default: this year).")
@click.option("--format", "output_format", type=click.Choice(["json", "csv", "xlsx"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
@click.option(
    "--view",
    type=click.Choice(sorted(exports.VIEWS)),
    default="members",
    help="The CSV's view (default members).",
)
def unit_report(path: str, year: int | None, output_format: str, output: Path | None, view: str) -> None:
    """Write the report of the unit at PATH (such as 示范集团党委/机关党总支) and its subtree."""
    unit = find_unit_by_name_path(path)
    if unit is None:
        raise click.ClickException(f"no unit at {path}")
    if output_format == "xlsx" and output is None:
        raise click.ClickException("--format xlsx needs --output FILE")
    year = year or ledger.local_year()
    report = services.open_unit_report(None, unit.id, year, "report.export", format=output_format, via="cli")
    if output_format == "xlsx" and output is not None:  # checked above
        output.write_bytes(exports.report_xlsx(report))
    else:
        if output_format == "csv":
            text = exports.report_csv(report, view)
        else:
            text = json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n"
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
    if output is not None:
        click.echo(f"wrote {output} ({len(report.members)} members)", err=True)


@reports_cli.command("send-due")
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Act as on this day (default: today)."
)
def send_due(on) -> None:
    """Send this week's reminders and every scheduled report due today (the daily job does the same)."""
    reminded, runs = schedules.send_due(on.date() if on else None)
    click.echo(f"{reminded} new reminder(s); {len(runs)} report(s) made")
    for run in runs:
        click.echo(
            f"  {run.unit.name} {run.period.value} {run.period_key} -> {', '.join(run.recipients) or 'no e-mail address'}"
        )
