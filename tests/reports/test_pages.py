"""Dashboards, drill-down and downloads, each only inside the reader's own subtree."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from tests.factories.reports import YEAR


def sheet_rows(workbook, title: str) -> list[tuple]:
    return [tuple(row) for row in workbook[title].iter_rows(values_only=True)]


def test_a_secretary_sees_their_branch_dashboard_with_members_and_courses(client, auth, world, year_of_study):
    auth.login("sec_a")
    response = client.get("/reports/", follow_redirects=True)  # one unit in scope: straight to it
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "第一党支部" in page
    assert 'data-testid="member-member_a"' in page and 'data-testid="member-sec_a"' in page
    assert "甲二党员" not in page and "乙党员" not in page  # another branch, another committee
    page = client.get(f"/reports/units/{world.unit_a1}?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="course-c-party"' in page and 'data-testid="course-c-branch"' in page
    assert "c-other" not in page and "选修课程" not in page


def test_an_admin_drills_down_from_committee_to_member_to_course(client, auth, world, year_of_study):
    auth.login("admin")
    page = client.get(f"/reports/units/{world.committee_a}?year={YEAR}").get_data(as_text=True)
    assert f'data-testid="subunit-{world.unit_a}"' in page
    page = client.get(f"/reports/members/{world.sec_a}?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="member-course-c-party"' in page and 'data-testid="member-course-c-branch"' in page
    page = client.get(f"/reports/members/{world.sec_a}/courses/{year_of_study.party}?year={YEAR}").get_data(
        as_text=True
    )
    assert f'data-testid="member-lesson-{year_of_study.lesson}"' in page and "2026-06-01" in page


@pytest.mark.parametrize(
    "path",
    [
        "/reports/units/{committee_a}",
        "/reports/units/{unit_a}",
        "/reports/units/{unit_a}/report.xlsx",
        "/reports/units/{unit_a}/report.csv",
        "/reports/members/{member_a}",
        "/reports/members/{member_a}/courses/{party}",
        "/api/v1/org-units/{unit_a1}/report",
    ],
)
def test_another_committee_s_secretary_gets_404_and_nothing_of_it(client, auth, world, year_of_study, path):
    auth.login("sec_b")
    response = client.get(path.format(**vars(world), party=year_of_study.party) + f"?year={YEAR}")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "甲党员" not in body and "member_a" not in body


def test_a_member_sees_their_own_figures_but_no_unit_report(client, auth, world, year_of_study):
    auth.login("member_a")
    assert client.get(f"/reports/members/{world.member_a}?year={YEAR}").status_code == 200
    assert client.get(f"/reports/members/{world.sec_a}?year={YEAR}").status_code == 404
    assert client.get(f"/reports/units/{world.unit_a1}").status_code == 404
    assert client.get("/reports/").status_code == 403


def test_the_xlsx_has_one_sheet_per_view_with_chinese_headers(client, auth, world, year_of_study):
    auth.login("sec_a")
    response = client.get(f"/reports/units/{world.unit_a1}/report.xlsx?year={YEAR}")
    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and disposition.startswith("attachment")
    # The Chinese file name travels as RFC 6266 filename*: a raw one cannot go into an HTTP header.
    assert "filename*=UTF-8''%E7%AC%AC" in disposition and disposition.encode("latin-1")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["概况", "成员学时", "必修课程", "下级组织"]
    members = sheet_rows(workbook, "成员学时")
    assert members[0][:5] == ("用户名", "姓名", "所在组织", "已获学时", "年度目标学时")
    rows = {row[0]: row for row in members[1:]}
    assert set(rows) == {"member_a", "sec_a"}  # nothing of the branch next door
    assert rows["member_a"][3:5] == (11, 32) and rows["sec_a"][4] == 56
    courses = {row[0]: row for row in sheet_rows(workbook, "必修课程")[1:]}
    assert courses["c-party"][3:5] == (2, 1) and courses["c-branch"][3:5] == (2, 1)


def test_the_csv_opens_in_excel_and_each_view_can_be_chosen(client, auth, world, year_of_study):
    auth.login("admin")
    response = client.get(f"/reports/units/{world.unit_a}/report.csv?year={YEAR}&view=subunits")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["组织", "党员人数", "已获学时"]
    assert [row[0] for row in rows[1:]] == [
        "甲党委/机关党总支",
        "甲党委/机关党总支/第一党支部",
        "甲党委/机关党总支/第二党支部",
    ]
    assert client.get(f"/reports/units/{world.unit_a}/report.csv?view=nonsense").status_code == 400


def test_every_view_and_export_of_member_figures_is_in_the_audit_log(app, client, auth, world, year_of_study):
    auth.login("sec_a")
    client.get(f"/reports/units/{world.unit_a1}?year={YEAR}")
    client.get(f"/reports/units/{world.unit_a1}/report.xlsx?year={YEAR}")
    client.get(f"/reports/members/{world.member_a}?year={YEAR}")
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.object_id, AuditEvent.actor_id).order_by(AuditEvent.id)
        ).all()
    assert [(action, object_id) for action, object_id, _actor in events] == [
        ("report.view", str(world.unit_a1)),
        ("report.export", str(world.unit_a1)),
        ("report.view_member", str(world.member_a)),
    ]
    assert {actor for _a, _o, actor in events} == {world.sec_a}


def test_a_year_out_of_range_is_a_bad_request(client, auth, world):
    auth.login("admin")
    assert client.get(f"/reports/units/{world.unit_a}?year=1900").status_code == 400
    assert client.get(f"/api/v1/org-units/{world.unit_a}/report?year=3000").get_json()["error"]
