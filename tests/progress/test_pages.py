"""我的学习, the home card, certificates and their public verification, the member's own API."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.courses.services import assign_course
from app.extensions import db
from app.org.models import OrgUnit
from app.progress import ledger
from app.progress.completion import certificates
from app.progress.models import Certificate, SourceKind
from tests.factories.auth import user_named
from tests.factories.courses import make_course
from tests.factories.progress import complete_everything
from tests.web import csrf_token


@pytest.fixture
def finished(app, world):
    """member_a has completed a required 2-hour course; member_a2 has 1 hour from a correction."""
    with app.app_context():
        course = make_course(slug="dangzhang", title="党章学习入门", credit_hours="2")
        required = make_course(slug="ershida", title="学习二十大精神", credit_hours="3")
        year = ledger.local_year()
        assign_course(
            required, db.session.get(OrgUnit, world.committee_a), year, True, None, user_named("admin")
        )
        complete_everything(user_named("member_a"), course)
        ledger.add_correction(user_named("member_a2"), "1", "线下学习补录", year, user_named("admin"))
        return db.session.scalar(select(Certificate)).code


def test_my_learning_shows_my_hours_courses_certificate_and_activity(client, auth, finished):
    auth.login("member_a")
    page = client.get("/progress/").get_data(as_text=True)
    assert 'data-testid="hours-total">2<' in page and 'data-testid="hours-target">32<' in page
    assert 'data-testid="course-dangzhang" data-state="done"' in page
    assert 'data-testid="course-ershida" data-state="open"' in page
    assert "党章学习入门" in page and finished in page
    assert "<progress" in page and "style=" not in page
    assert 'data-testid="hours-chart"' in page


def test_a_member_sees_only_their_own_record(client, auth, finished, world):
    auth.login("member_a2")
    page = client.get("/progress/").get_data(as_text=True)
    assert 'data-testid="hours-total">1<' in page and finished not in page
    assert client.get(f"/progress/members/{world.member_a}/ledger").status_code == 404
    assert client.get("/api/v1/progress/ledger").get_json()["total"] == "1"
    with client.application.app_context():
        certificate_id = db.session.scalar(select(Certificate.id))
    assert client.get(f"/progress/certificates/{certificate_id}.pdf").status_code == 404


def test_a_secretary_sees_a_members_ledger_in_their_branch_but_cannot_correct_it(
    client, auth, finished, world
):
    auth.login("sec_a")
    page = client.get(f"/progress/members/{world.member_a}/ledger")
    assert page.status_code == 200 and 'data-testid="correction-form"' not in page.get_data(as_text=True)
    path = f"/progress/members/{world.member_a}/ledger"
    data = {"csrf_token": csrf_token(client, path), "year": 2026, "hours": "5", "reason": "想多加几个学时"}
    assert client.post(path, data=data).status_code == 403
    auth.logout()
    auth.login("sec_b")
    assert client.get(f"/progress/members/{world.member_a}/ledger").status_code == 404


def test_the_home_card_shows_the_real_total_and_target(app, client, auth, finished, world):
    with app.app_context():
        from app.auth.models import Role

        ledger.set_target(
            db.session.get(OrgUnit, world.committee_a), Role.MEMBER, ledger.local_year(), "40", None
        )
    auth.login("member_a")
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="hours-total">2<' in page and 'data-testid="hours-target">40<' in page


def test_the_certificate_pdf_embeds_a_chinese_font(client, auth, finished):
    auth.login("member_a")
    with client.application.app_context():
        certificate_id = db.session.scalar(select(Certificate.id))
    with client.get(f"/progress/certificates/{certificate_id}.pdf") as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        pdf = response.data
    assert pdf.startswith(b"%PDF") and b"FontFile2" in pdf  # a TrueType font program is embedded


def test_the_public_page_verifies_a_certificate_revealing_only_name_course_date_hours(client, finished):
    page = client.get(f"/certificates/verify/{finished}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="valid"' in text
    assert "甲党员" in text and "党章学习入门" in text and 'data-testid="hours">2<' in text
    assert "member_a" not in text and "第一党支部" not in text  # no username, no unit


@pytest.mark.parametrize("code", ["0000-0000-0000-0000-0000", "not-a-code", "x" * 300])
def test_a_forged_code_is_not_found(client, finished, code):
    page = client.get(f"/certificates/verify/{code}")
    assert page.status_code == 404 and 'data-testid="not-found"' in page.get_data(as_text=True)


def test_codes_are_random_and_unguessable(app):
    codes = {certificates.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(code.replace("-", "")) == 20 for code in codes)


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {"PROGRESS_TEXT_MIN_SHARE": 0.5}


def test_a_missing_certificate_font_gives_a_clear_message(app, client, auth, finished):
    app.config["CERTIFICATE_FONT_PATH"] = "/nonexistent/font.ttc"
    auth.login("member_a")
    with app.app_context():
        certificate_id = db.session.scalar(select(Certificate.id))
    response = client.get(f"/progress/certificates/{certificate_id}.pdf", follow_redirects=True)
    assert "/nonexistent/font.ttc" in response.get_data(as_text=True)


def test_statements_export_as_xapi(client, auth, finished):
    auth.login("member_a")
    statements = client.get("/api/v1/progress/statements").get_json()
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]
    assert "launched" in verbs and "completed" in verbs and "passed" in verbs and "satisfied" in verbs
    first = statements[0]
    assert first["actor"]["account"]["name"] == "member_a" and first["timestamp"].endswith("Z")
    assert {"id", "actor", "verb", "object", "timestamp"} <= set(first)


def test_the_ledger_api_gives_entries_with_source_and_rule(client, auth, finished):
    auth.login("member_a")
    report = client.get("/api/v1/progress/ledger").get_json()
    assert [(e["source"], e["hours"], e["rule_version"]) for e in report["entries"]] == [
        (SourceKind.COURSE.value, "2", "default/v1")
    ]
    assert report["target"] == "32" and Decimal(report["total"]) == 2
    assert client.get("/api/v1/progress/ledger?year=1900").status_code == 400


def test_a_secretary_sets_a_target_for_their_branch_and_sees_where_targets_come_from(
    app, client, auth, world
):
    auth.login("sec_a")
    assert client.get(f"/progress/units/{world.unit_b1}/targets").status_code == 404
    path = f"/progress/units/{world.unit_a1}/targets?year=2026"
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="target-member"><td>' in page and "<td>32</td>" in page
    response = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "role": "secretary", "year": "2026", "hours": "56"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert ledger.target_for(user_named("sec_a"), 2026) == 56
        assert ledger.target_for(user_named("member_a"), 2026) == 32


def test_a_trainer_corrects_a_member_of_their_committee_through_the_ledger_page(client, auth, world):
    auth.login("trainer")
    path = f"/progress/members/{world.member_a}/ledger?year=2026"
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="correction-form"' in page
    assert client.get(f"/progress/members/{world.member_b}/ledger").status_code == 404
