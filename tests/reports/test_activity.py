"""Platform activity per unit and quarter (信息平台考核评价): hand-computed figures, rolled up the tree.

2026 Q2 (Beijing time), 甲党委:
  sessions: 第一党支部 10 April, 第二党支部 30 June (31 March is Q1)
  notices: 第一党支部 at 00:30 on 1 April Beijing time (still 31 March in UTC), 甲党委 1 May
           (one at 00:30 on 1 July Beijing time is Q3)
  courses assigned: to 甲党委 and to 第二党支部 in Q2 (one more to 甲党委 in Q1)
  board: member_a's topic and sec_a's reply on 第一党支部's board; a deleted post is not counted
  active: member_a and sec_a (posts), member_a2 (a learning record); trainer only in Q1
"""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.courses.models import Assignment
from app.discussions.models import Post, PostStatus
from app.extensions import db
from app.notices.models import Notice
from app.org.models import OrgUnit
from app.progress.models import SessionKind, Statement, StudySession
from app.reports.activity import build_activity_report, quarter_bounds
from tests.factories.courses import make_course, text_lessons


def _session(unit_id: int, held_on: date) -> StudySession:
    return StudySession(
        unit_id=unit_id,
        kind=SessionKind.PARTY_DAY,
        held_on=held_on,
        topic="主题党日",
        minutes=90,
        hours=Decimal("1.5"),
        rule_version="test",
    )


def _notice(unit_id: int, sender_id: int, at: datetime) -> Notice:
    return Notice(unit_id=unit_id, sender_id=sender_id, title="通知", published_at=at)


def _statement(user_id: int, at: datetime, number: int) -> Statement:
    return Statement(
        uuid=f"00000000-0000-0000-0000-{number:012d}",
        user_id=user_id,
        verb="completed",
        object_type="lesson",
        object_id=1,
        created_at=at,
    )


@pytest.fixture
def quarter_of_activity(app, world):
    with app.app_context():
        courses = [make_course(f"c{number}", f"课程{number}", lessons=text_lessons(1)) for number in range(3)]
        topic = Post(
            unit_id=world.unit_a1,
            author_id=world.member_a,
            title="话题",
            body="正文",
            created_at=datetime(2026, 4, 20, 2),
        )
        db.session.add(topic)
        db.session.flush()
        db.session.add_all(
            [
                _session(world.unit_a1, date(2026, 4, 10)),
                _session(world.unit_a2, date(2026, 6, 30)),
                _session(world.unit_a1, date(2026, 3, 31)),
                _notice(world.unit_a1, world.sec_a, datetime(2026, 3, 31, 16, 30)),
                _notice(world.committee_a, world.admin, datetime(2026, 5, 1, 2)),
                _notice(world.committee_a, world.admin, datetime(2026, 6, 30, 16, 30)),
                Assignment(
                    course_id=courses[0].id,
                    unit_id=world.committee_a,
                    year=2026,
                    created_at=datetime(2026, 4, 2, 2),
                ),
                Assignment(
                    course_id=courses[1].id,
                    unit_id=world.unit_a2,
                    year=2026,
                    created_at=datetime(2026, 6, 1, 2),
                ),
                Assignment(
                    course_id=courses[2].id,
                    unit_id=world.committee_a,
                    year=2026,
                    created_at=datetime(2026, 2, 1, 2),
                ),
                Post(
                    unit_id=world.unit_a1,
                    author_id=world.sec_a,
                    parent_id=topic.id,
                    body="回复",
                    created_at=datetime(2026, 4, 21, 2),
                ),
                Post(
                    unit_id=world.unit_a1,
                    author_id=world.member_a,
                    title="删除的",
                    body="x",
                    status=PostStatus.DELETED,
                    created_at=datetime(2026, 4, 22, 2),
                ),
                Post(
                    unit_id=world.unit_b1,
                    author_id=world.member_b,
                    title="乙",
                    body="x",
                    created_at=datetime(2026, 4, 22, 2),
                ),
                _statement(world.member_a2, datetime(2026, 5, 5, 2), 1),
                _statement(world.trainer, datetime(2026, 3, 5, 2), 2),
            ]
        )
        db.session.commit()


def test_quarters_run_january_april_july_october():
    assert quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))


def test_each_unit_counts_its_own_activity_and_everything_below_it(app, world, quarter_of_activity):
    with app.app_context():
        report = build_activity_report(db.session.get(OrgUnit, world.committee_a), 2026, 2)
        rows = {row.id: row for row in report.rows}
    figures = ("members", "sessions", "notices", "courses_assigned", "board_posts", "active_members")

    def of(unit_id):
        return tuple(getattr(rows[unit_id], name) for name in figures)

    assert report.unit.id == world.committee_a
    assert of(world.committee_a) == (4, 2, 2, 2, 2, 3)
    assert of(world.unit_a) == (3, 2, 1, 1, 2, 3)
    assert of(world.unit_a1) == (2, 1, 1, 0, 2, 2)
    assert of(world.unit_a2) == (1, 1, 0, 1, 0, 1)
    assert rows[world.committee_a].activity_rate == 0.75
    assert world.unit_b1 not in rows
    assert [row.depth for row in report.rows] == [0, 1, 2, 2]


def test_the_first_quarter_has_its_own_figures(app, world, quarter_of_activity):
    with app.app_context():
        totals = build_activity_report(db.session.get(OrgUnit, world.committee_a), 2026, 1).unit
    assert (totals.sessions, totals.notices, totals.courses_assigned, totals.active_members) == (1, 0, 1, 1)


@pytest.mark.parametrize(
    ("username", "unit", "status"),
    [
        ("sec_a", "unit_a1", 200),
        ("admin", "committee_a", 200),
        ("sec_a", "committee_a", 404),
        ("sec_b", "unit_a1", 404),
        ("member_a", "unit_a1", 404),
    ],
)
def test_the_activity_page_follows_the_report_scope(client, auth, world, username, unit, status):
    auth.login(username)
    assert (
        client.get(f"/reports/units/{getattr(world, unit)}/activity?year=2026&quarter=2").status_code
        == status
    )


def test_the_page_shows_the_figures_and_a_bad_quarter_is_refused(client, auth, world, quarter_of_activity):
    auth.login("admin")
    page = client.get(f"/reports/units/{world.committee_a}/activity?year=2026&quarter=2").get_data(
        as_text=True
    )
    assert "平台活跃情况" in page
    assert f'data-unit-id="{world.unit_a1}"' in page and f'data-unit-id="{world.unit_b1}"' not in page
    assert "3 / 4" in page or "4 名党员中 3 名" in page
    assert client.get(f"/reports/units/{world.committee_a}/activity?quarter=5").status_code == 400
    assert 'data-testid="activity-link"' in client.get(f"/reports/units/{world.committee_a}").get_data(
        as_text=True
    )


def test_the_activity_exports_as_excel_and_csv_with_inert_text(app, client, auth, world, quarter_of_activity):
    with app.app_context():
        db.session.get(OrgUnit, world.unit_a2).name = '=HYPERLINK("http://evil.example","x")'
        db.session.commit()
    auth.login("admin")
    base = f"/reports/units/{world.committee_a}/activity"
    response = client.get(f"{base}.xlsx?year=2026&quarter=2")
    assert response.status_code == 200
    assert "%E7%AC%AC2%E5%AD%A3%E5%BA%A6" in response.headers["Content-Disposition"]  # 第2季度
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("统计期间", "2026-04-01 至 2026-06-30")
    assert rows[2][:3] == ("组织", "党员人数", "线下学习活动")
    assert rows[3] == ("甲党委", 4, 2, 2, 2, 2, 3, "75.0%")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    text = client.get(f"{base}.csv?year=2026&quarter=2").data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "组织,党员人数,线下学习活动,发布通知,布置课程,园地发帖,活跃党员,活跃率"
    assert lines[1] == "甲党委,4,2,2,2,2,3,75.0%"
    assert not any(line.startswith("=") or ',"=' in line for line in lines)
