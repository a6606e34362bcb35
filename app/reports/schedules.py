"""Scheduled reports: weekly (on Mondays) and monthly (on the 1st), kept in a history and e-mailed.

The daily job (:func:`daily_reports_and_reminders`, and `flask reports send-due` for cron users)
first sends this week's reminders, then makes each unit's due report once: a second run in the same
week or month finds the report already made and sends nothing.
"""

from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from huey import crontab
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record_audit
from app.auth.models import Role, RoleGrant, User
from app.extensions import db
from app.jobs import app_task
from app.mail import queue_mail
from app.org.models import OrgUnit
from app.org.services import name_path
from app.reports import reminders
from app.reports.exports import report_xlsx
from app.reports.models import ReportPeriod, ReportRun, ReportSchedule
from app.reports.services import build_unit_report, today
from app.timeutil import utcnow

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def schedule_of(unit: OrgUnit) -> ReportSchedule | None:
    return db.session.scalar(select(ReportSchedule).where(ReportSchedule.unit_id == unit.id))


def set_schedule(actor: User, unit: OrgUnit, weekly: bool, monthly: bool) -> ReportSchedule:
    schedule = schedule_of(unit) or ReportSchedule(unit_id=unit.id)
    schedule.weekly, schedule.monthly = weekly, monthly
    schedule.updated_by_id, schedule.updated_at = actor.id, utcnow()
    db.session.add(schedule)
    record_audit(actor, "report.schedule", "org_unit", unit.id, {"weekly": weekly, "monthly": monthly})
    db.session.commit()
    return schedule


def due_periods(on: date) -> list[ReportPeriod]:
    periods = []
    if on.weekday() == 0:
        periods.append(ReportPeriod.WEEKLY)
    if on.day == 1:
        periods.append(ReportPeriod.MONTHLY)
    return periods


def period_key(period: ReportPeriod, on: date) -> str:
    if period is ReportPeriod.WEEKLY:
        return reminders.iso_week(on)
    return f"{on.year}-{on.month:02d}"


def secretaries_of(unit: OrgUnit) -> list[User]:
    """The unit's own secretaries (a committee's report goes to the committee, not to every branch)."""
    return list(
        db.session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == Role.SECRETARY, RoleGrant.unit_id == unit.id, User.active.is_(True))
            .order_by(User.username)
        )
    )


def make_report(unit: OrgUnit, period: ReportPeriod, on: date) -> ReportRun | None:
    """Make, keep and e-mail the unit's report for the period of ``on``; None when it exists already."""
    key = period_key(period, on)
    taken = select(ReportRun.id).where(
        ReportRun.unit_id == unit.id, ReportRun.period == period, ReportRun.period_key == key
    )
    if db.session.scalar(taken) is not None:
        return None
    # A report made on 1 January is about the year that just ended.
    year = (on - timedelta(days=1)).year
    report = build_unit_report(unit.id, year, on)
    assert report is not None  # the caller has the unit
    reminded = [
        {
            "username": member.username,
            "name": member.display_name,
            "reason": reminder.reason.value,
            "text": reminders.describe(reminder),
        }
        for member, reminder in reminders.reminders_in(unit, reminders.iso_week(on))
    ]
    recipients = secretaries_of(unit)
    run = ReportRun(
        unit_id=unit.id,
        period=period,
        period_key=key,
        year=year,
        figures=report.as_json(),
        reminders=reminded,
        workbook=report_xlsx(report),
        recipients=[user.email for user in recipients if user.email],
    )
    db.session.add(run)
    record_audit(
        None, "report.email", "org_unit", unit.id, {"period": period.value, "key": key, "to": run.recipients}
    )
    try:
        db.session.commit()
    except IntegrityError:  # another worker made it a moment ago
        db.session.rollback()
        return None
    _email(run, unit)
    return run


def _email(run: ReportRun, unit: OrgUnit) -> None:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        totals = run.figures["totals"]
        label = _("weekly") if run.period is ReportPeriod.WEEKLY else _("monthly")
        subject = _(
            "%(unit)s: %(period)s learning report %(key)s", unit=unit.name, period=label, key=run.period_key
        )
        lines = [
            _("Learning statistics: %(unit)s", unit=name_path(unit)),
            _(
                "Members: %(members)d; average hours: %(hours).1f; required courses completed: %(rate).0f%%",
                members=totals["members"],
                hours=totals["hours"] / (totals["members"] or 1),
                rate=totals["completion_rate"] * 100,
            ),
            _(
                "Overdue: %(overdue)d; behind pace: %(behind)d",
                overdue=totals["overdue_members"],
                behind=totals["behind_pace_members"],
            ),
        ]
        if run.reminders:
            lines += ["", _("Reminded this week:")] + [
                f"- {row['name']}（{row['username']}）：{row['text']}" for row in run.reminders
            ]
        lines += ["", _("The figures for every member are in the attached workbook.")]
        filename = f"{unit.name}-{run.period_key}学习统计.xlsx"
    queue_mail(run.recipients, subject, "\n".join(lines), [(filename, XLSX_TYPE, run.workbook)])


def send_due(on: date | None = None) -> tuple[int, list[ReportRun]]:
    """This week's reminders, then every scheduled report due on ``on``: (reminders, new reports)."""
    on = on or today()
    new_reminders = reminders.send_reminders(on)
    runs = []
    for period in due_periods(on):
        flag = ReportSchedule.weekly if period is ReportPeriod.WEEKLY else ReportSchedule.monthly
        units = db.session.scalars(
            select(OrgUnit).join(ReportSchedule).where(flag.is_(True)).order_by(OrgUnit.path)
        )
        runs += [run for unit in units if (run := make_report(unit, period, on)) is not None]
    return len(new_reminders), runs


def history(unit: OrgUnit) -> list[ReportRun]:
    return list(
        db.session.scalars(
            select(ReportRun).where(ReportRun.unit_id == unit.id).order_by(ReportRun.generated_at.desc())
        )
    )


# 23:00 UTC is 07:00 in China: reminders and reports are waiting when the working day starts.
@app_task(schedule=crontab(hour="23", minute="0"))
def daily_reports_and_reminders() -> None:
    send_due()
