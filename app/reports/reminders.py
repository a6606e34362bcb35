"""Reminders: a member behind the pace for the annual target, or close to a required course's deadline.

Each is an in-app reminder (shown on 我的学习 until dismissed) and an e-mail when mail is configured
and the member has an address; at most one per member, reason and subject a week, however often
the job runs.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.courses.models import Assignment, Course
from app.extensions import db
from app.mail import queue_mail
from app.org.models import OrgUnit
from app.progress.models import Certificate
from app.progress.reminders import PageReminder
from app.reports.models import Reminder, ReminderReason
from app.reports.services import build_unit_report
from app.timeutil import utcnow


def iso_week(on: date) -> str:
    year, week, _weekday = on.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Due:
    user_id: int
    reason: ReminderReason
    subject: str
    detail: str


def _behind_pace(on: date) -> list[Due]:
    dues = []
    for root_id in db.session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None))):
        report = build_unit_report(root_id, on.year, on)
        assert report is not None  # the unit was just read
        dues += [
            Due(
                member.id,
                ReminderReason.PACE,
                str(on.year),
                f"{member.hours}/{member.expected}/{member.target}",
            )
            for member in report.members
            if member.behind_pace
        ]
    return dues


def _deadlines(on: date, days: int) -> list[Due]:
    """Members reached by a required course due within ``days`` who have not completed it."""
    upcoming = db.session.execute(
        select(Assignment.due_date, Course.id, Course.slug, Course.title, OrgUnit.path)
        .join(Course, Assignment.course_id == Course.id)
        .join(OrgUnit, Assignment.unit_id == OrgUnit.id)
        .where(
            Assignment.required.is_(True),
            Assignment.due_date >= on,
            Assignment.due_date <= on + timedelta(days=days),
        )
    ).all()
    dues = []
    for due_date, course_id, slug, title, path in upcoming:  # a handful of assignments in any week
        assert due_date is not None  # the query's due_date bounds
        not_completed = ~exists().where(Certificate.user_id == User.id, Certificate.course_id == course_id)
        members = db.session.scalars(
            select(User.id)
            .join(OrgUnit, User.unit_id == OrgUnit.id)
            .where(OrgUnit.in_subtree(path), User.active.is_(True), not_completed)
        )
        dues += [
            Due(user_id, ReminderReason.DEADLINE, slug, f"{title}|{due_date.isoformat()}")
            for user_id in members
        ]
    return dues


def describe(reminder: Reminder) -> str:
    """The reminder's sentence in the current language."""
    if reminder.reason is ReminderReason.DEADLINE:
        title, _bar, due = reminder.detail.partition("|")
        return _(
            "The required course %(title)s is due on %(date)s and you have not completed it yet.",
            title=title,
            date=due,
        )
    hours, expected, target = reminder.detail.split("/")
    return _(
        "You have %(hours)s study hours; to reach this year's target of %(target)s you should have %(expected)s by now.",
        hours=hours,
        expected=expected,
        target=target,
    )


def send_reminders(on: date) -> list[Reminder]:
    """Create this week's reminders that do not exist yet, and e-mail them; returns the new ones."""
    week = iso_week(on)
    dues = _behind_pace(on) + _deadlines(on, current_app.config["REMINDER_DEADLINE_DAYS"])
    already = set(
        db.session.execute(
            select(Reminder.user_id, Reminder.reason, Reminder.subject).where(Reminder.week == week)
        ).all()
    )
    created = []
    for due in dues:
        if (due.user_id, due.reason, due.subject) in already:
            continue
        reminder = Reminder(
            user_id=due.user_id, reason=due.reason, subject=due.subject, week=week, detail=due.detail
        )
        db.session.add(reminder)
        try:
            db.session.commit()
        except IntegrityError:  # another run made it a moment ago
            db.session.rollback()
            continue
        created.append(reminder)
        _email(reminder)
    return created


def _email(reminder: Reminder) -> None:
    member = reminder.user
    if not member.email:
        return
    with force_locale(member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        queue_mail([member.email], _("Online Party School: a study reminder"), describe(reminder))


def active_reminders(member: User, on: date) -> list[Reminder]:
    """The member's reminders of this week and last, not dismissed, newest first."""
    weeks = [iso_week(on), iso_week(on - timedelta(days=7))]
    return list(
        db.session.scalars(
            select(Reminder)
            .where(Reminder.user_id == member.id, Reminder.week.in_(weeks), Reminder.dismissed_at.is_(None))
            .order_by(Reminder.created_at.desc(), Reminder.id.desc())
        )
    )


def page_reminders(member: User, on: date) -> list[PageReminder]:
    """The active reminders as 我的学习 shows them (progress asks, through its ``reminder_sources``)."""
    return [
        PageReminder(
            reminder.reason.value,
            describe(reminder),
            url_for("report_schedules.dismiss_reminder", reminder_id=reminder.id),
        )
        for reminder in active_reminders(member, on)
    ]


def dismiss(member: User, reminder_id: int) -> bool:
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None or reminder.user_id != member.id:
        return False
    reminder.dismissed_at = reminder.dismissed_at or utcnow()
    db.session.commit()
    return True


def reminders_in(unit: OrgUnit, week: str) -> list[tuple[User, Reminder]]:
    """This week's reminders to members of the unit's subtree, for the secretary's weekly report."""
    return list(
        db.session.execute(
            select(User, Reminder)
            .join(Reminder, Reminder.user_id == User.id)
            .join(OrgUnit, User.unit_id == OrgUnit.id)
            .where(OrgUnit.in_subtree(unit.path), Reminder.week == week)
            .order_by(User.username, Reminder.reason)
        ).all()
    )
