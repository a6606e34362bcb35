"""Scheduled reports and reminders, delivered to a real SMTP server the test starts."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.progress import ledger
from app.reports import schedules
from app.reports.models import Reminder, ReportRun
from app.reports.reminders import send_reminders
from tests.factories.reports import MONDAY, set_email
from tests.web import csrf_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app_config(smtp_server) -> dict:
    port, _mailbox = smtp_server
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_DEFAULT_SENDER": "网上党校 <school@example.org>",
    }


@pytest.fixture
def weekly_branch_report(app, world, year_of_study, client, auth):
    """sec_a asks for the weekly report of their branch, and has an address."""
    with app.app_context():
        set_email("sec_a", "sec_a@example.org")
    auth.login("sec_a")
    token_page = client.get(f"/reports/units/{world.unit_a1}/schedule").get_data(as_text=True)
    token = token_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"/reports/units/{world.unit_a1}/schedule", data={"weekly": "y", "csrf_token": token}
    )
    assert response.status_code == 302


def reports_to(mailbox, address: str) -> list:
    return [message for message in mailbox.messages if message["To"] == address and message.get_payload()]


def test_the_weekly_report_reaches_the_secretary_with_the_workbook(app, world, weekly_branch_report, mailbox):
    with app.app_context():
        reminded, runs = schedules.send_due(MONDAY)
    assert reminded >= 3  # the trainer and sec_a near c-party's deadline, and those behind the pace
    assert [run.period_key for run in runs] == ["2026-W27"]
    [message] = [
        m for m in mailbox.messages if m["To"] == "sec_a@example.org" and "第一党支部" in m["Subject"]
    ]
    assert message["From"] == "网上党校 <school@example.org>"
    body = message.get_body(("plain",)).get_content()
    assert "第一党支部" in body and "甲书记" in body  # the reminded members are listed
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == XLSX and attachment.get_filename().endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(attachment.get_content()))
    names = {row[0] for row in workbook["成员学时"].iter_rows(min_row=2, values_only=True)}
    assert names == {"sec_a", "member_a"}  # nothing of the branch next door


def test_running_the_day_again_sends_nothing_twice(app, world, weekly_branch_report, mailbox):
    with app.app_context():
        schedules.send_due(MONDAY)
        sent = len(mailbox.messages)
        reminded, runs = schedules.send_due(MONDAY)
        assert (reminded, runs) == (0, [])
        assert db.session.scalar(select(func.count(ReportRun.id))) == 1
    assert len(mailbox.messages) == sent


def test_a_weekly_schedule_makes_nothing_midweek_and_monthly_waits_for_the_first(
    app, world, weekly_branch_report
):
    with app.app_context():
        assert schedules.send_due(date(2026, 7, 1))[1] == []  # a Wednesday, and no monthly report asked
        assert schedules.send_due(date(2026, 7, 6))[1][0].period_key == "2026-W28"


def test_reminders_go_to_members_behind_or_near_a_deadline_once_a_week(app, world, year_of_study, mailbox):
    with app.app_context():
        set_email("trainer", "trainer@example.org")
        schedules.send_due(MONDAY)
        rows = db.session.execute(select(Reminder.user_id, Reminder.reason, Reminder.subject)).all()
        assert schedules.send_due(MONDAY)[0] == 0  # the same week: nobody is reminded twice
    deadline = {user_id for user_id, reason, subject in rows if reason == "deadline"}
    assert deadline >= {world.trainer, world.sec_a} and world.member_a not in deadline  # completed
    assert (world.member_a2, "pace", "2026") not in rows  # 40 hours: ahead of the pace
    trainer_mails = [m.get_content() for m in mailbox.messages if m["To"] == "trainer@example.org"]
    assert len(trainer_mails) == 2 and any(
        "党章学习" in text and "2026-06-30" in text for text in trainer_mails
    )


def test_a_member_sees_and_dismisses_their_reminder(app, world, year_of_study, client, auth):
    with app.app_context():
        send_reminders(ledger.local_time().date())  # today: 我的学习 shows this week's and last week's
        mine = db.session.scalar(select(Reminder.id).where(Reminder.user_id == world.sec_a))
        theirs = db.session.scalar(select(Reminder.id).where(Reminder.user_id == world.trainer))
    auth.login("sec_a")
    page = client.get("/progress/").get_data(as_text=True)
    assert 'data-testid="reminder-pace"' in page
    token = csrf_token(client, "/progress/")
    assert client.post(f"/reports/reminders/{theirs}/dismiss", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/reports/reminders/{mine}/dismiss", data={"csrf_token": token}).status_code == 302
    assert 'data-testid="reminder-pace"' not in client.get("/progress/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Reminder, theirs).dismissed_at is None


def test_another_subtree_s_secretary_cannot_see_or_change_the_schedule_or_download(
    app, world, weekly_branch_report, client, auth
):
    with app.app_context():
        schedules.send_due(MONDAY)
        run_id = db.session.scalar(select(ReportRun.id))
    assert client.get(f"/reports/runs/{run_id}.xlsx").status_code == 200
    auth.logout()
    auth.login("sec_b")
    assert client.get(f"/reports/units/{world.unit_a1}/schedule").status_code == 404
    assert client.get(f"/reports/runs/{run_id}.xlsx").status_code == 404


def test_without_a_mail_server_reports_are_still_kept(app, world, weekly_branch_report, mailbox):
    app.config["MAIL_SERVER"] = None
    with app.app_context():
        [run] = schedules.send_due(MONDAY)[1]
        assert run.recipients == ["sec_a@example.org"] and run.workbook
    assert mailbox.messages == []
