"""The auditor: reads the audit log and every report, and can change nothing."""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.extensions import db
from app.org.permissions import can_grant_role
from tests.factories.auth import make_user
from tests.factories.courses import make_course
from tests.factories.quizzes import make_quiz
from tests.web import csrf_token

# The auditor's own account and preferences are theirs to change; nothing else is.
OWN_SETTINGS = {
    "auth.logout",
    "auth.login",
    "auth.change_password",
    "auth.set_language",
    "auth_api.set_my_locale",
    "auth_api.issue_token",  # signing their own client in
    "auth.revoke_device",  # and signing it out
}


@pytest.fixture
def auditor(app, world, client, auth):
    with app.app_context():
        make_user("auditor", (Role.AUDITOR,), unit_path=None, name="审计员甲")
    auth.login("auditor")
    return client


def test_only_an_admin_grants_the_auditor_role(app, world):
    with app.app_context():
        assert can_grant_role(db.session.get(User, world.admin), Role.AUDITOR)
        assert not can_grant_role(db.session.get(User, world.sec_a), Role.AUDITOR)


def test_an_auditor_reads_every_unit_s_report_and_member_figures(world, auditor):
    page = auditor.get("/").get_data(as_text=True)
    assert 'data-testid="nav-audit"' in page and 'data-testid="nav-reports"' in page
    for unit_id in (world.committee_a, world.committee_b, world.unit_a1):
        assert auditor.get(f"/reports/units/{unit_id}").status_code == 200
    assert auditor.get(f"/api/v1/org-units/{world.committee_b}/report").get_json()["unit"]["name"] == "乙党委"
    assert auditor.get(f"/reports/members/{world.member_b}").status_code == 200
    assert (
        auditor.get(f"/reports/units/{world.unit_a1}/schedule").status_code == 200
    )  # the history, read-only


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_an_auditor_changes_nothing_through_any_state_changing_route(app, world, auditor):
    """One policy for the whole site: every state-changing route of the URL map (enumerated, so a new
    route is covered) answers 403 to an account holding only the auditor role, before its view runs,
    and no row anywhere changes; only the auditor's own sign-in, password and language are theirs."""
    with app.app_context():
        before = row_counts()
    token = csrf_token(auditor, "/")
    answered = {}
    for rule in app.url_map.iter_rules():
        methods = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if not methods or rule.endpoint in OWN_SETTINGS:
            continue
        values = {
            name: 1 if "Integer" in type(rule._converters[name]).__name__ else "x" for name in rule.arguments
        }
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in methods:
            response = auditor.open(
                url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
            )
            answered[(method, rule.rule)] = response.status_code
    assert len(answered) > 80  # every state-changing route of the site (86 today)
    assert {route: status for route, status in answered.items() if status != 403} == {}
    with app.app_context():
        assert row_counts() == before


def test_an_auditor_cannot_study_or_post(app, world, auditor):
    """The cases found by hand: enrolling, starting a quiz, finishing a lesson, posting a question."""
    with app.app_context():
        course = make_course("audited")
        lesson = course.modules[0].lessons[0]
        quiz = make_quiz()
        slug, lesson_id, quiz_id = course.slug, lesson.id, quiz.id
        before = row_counts()
    token = csrf_token(auditor, "/")
    page = auditor.get(f"/courses/{slug}/lessons/{lesson_id}")
    assert page.status_code == 200  # an auditor reads lessons
    for url in (
        f"/courses/{slug}/enrol",
        f"/quizzes/{quiz_id}/start",
        f"/progress/lessons/{lesson_id}/finished",
        f"/discussions/lessons/{lesson_id}/posts",
    ):
        assert auditor.post(url, data={"csrf_token": token, "body": "审计员的提问"}).status_code == 403, url
    with app.app_context():
        assert row_counts() == before  # reading the lesson made the auditor no learner either


def test_the_audit_log_filters_pages_and_exports_and_is_itself_audited(app, world, auditor):
    with app.app_context():
        for number in range(55):
            db.session.add(
                AuditEvent(
                    actor_id=world.sec_a, action="report.view", object_type="org_unit", object_id=str(number)
                )
            )
        db.session.add(
            AuditEvent(actor_id=world.trainer, action="course.publish", object_type="course", object_id="9")
        )
        db.session.commit()
    page = auditor.get("/audit/?actor=sec_a&action=report.").get_data(as_text=True)
    assert re.search(r'data-testid="audit-total">\D*55\D', page) and "course.publish" not in page
    assert 'data-testid="audit-older"' in page  # 50 a page
    page = auditor.get("/audit/?since=not-a-date").get_data(as_text=True)
    assert "not-a-date" in page  # said, and that filter ignored
    export = auditor.get("/audit/export.csv?object_type=course")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "time_utc", "actor", "action"] and [row[3] for row in rows[1:]] == [
        "course.publish"
    ]
    with app.app_context():
        reading = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "audit_log")
        ).all()
    assert reading.count("audit.view") == 2 and reading.count("audit.export") == 1


def test_members_and_secretaries_cannot_read_the_audit_log(world, client, auth):
    auth.login("sec_a")
    assert client.get("/audit/").status_code == 403
    assert 'data-testid="nav-audit"' not in client.get("/").get_data(as_text=True)


def test_the_audit_log_shows_chinese_details_as_characters(app, world, auditor):
    from app.audit.services import record_audit

    with app.app_context():
        record_audit(None, "test.detail", "unit", 1, {"name": "关于第一党支部"})
        db.session.commit()
    page = auditor.get("/audit/?action=test.detail").get_data(as_text=True)
    assert "关于第一党支部" in page and "\\u5173" not in page
