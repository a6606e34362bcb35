"""Target responsibility assessment: targets inherited down the tree, each unit's achievement against
the required and stretch levels on the quarter's board, PDCA notes, exports, and who may do what."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from flask_babel import gettext
from openpyxl import load_workbook
from sqlalchemy import select

from app.assessment import services
from app.assessment.models import Measure
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.org.models import OrgUnit
from app.progress import ledger
from app.progress.models import SessionKind, SourceKind, StudySession
from tests.factories.auth import user_named
from tests.web import csrf_token

YEAR = 2026


def unit(unit_id: int) -> OrgUnit:
    return db.session.get(OrgUnit, unit_id)


def give_hours(username: str, hours: str, at: datetime) -> None:
    entry = ledger.credit(
        user_named(username).id, SourceKind.CORRECTION, None, Decimal(hours), "测试", "manual", year=YEAR
    )
    entry.created_at = at
    db.session.commit()


def hold_session(unit_id: int, held_on: date) -> None:
    db.session.add(
        StudySession(
            unit_id=unit_id,
            kind=SessionKind.GROUP_STUDY,
            held_on=held_on,
            topic="集中学习",
            minutes=90,
            hours=Decimal("2"),
            rule_version="default/v1",
        )
    )
    db.session.commit()


def test_board_shows_each_unit_against_the_required_and_stretch_levels(app, world):
    with app.app_context():
        committee = unit(world.unit_a)  # 机关党总支: 第一党支部 (sec_a, member_a) and 第二党支部 (member_a2)
        services.set_target(
            committee, Role.MEMBER, YEAR, [1], Measure.AVERAGE_HOURS, None, "4", "8", user_named("admin")
        )
        services.set_target(
            committee, Role.MEMBER, YEAR, [1], Measure.SESSIONS_HELD, None, "1", "3", user_named("admin")
        )
        give_hours("member_a", "10", datetime(2026, 2, 1))
        give_hours("sec_a", "6", datetime(2026, 3, 1))
        give_hours("member_a2", "2", datetime(2026, 3, 1))
        give_hours("member_a2", "20", datetime(2026, 5, 1))  # after the first quarter: not counted in Q1
        hold_session(world.unit_a1, date(2026, 3, 15))
        board = services.build_board(committee, YEAR, 1)
        rows = {row.unit.id: row for row in board.rows}
        hours_key = (Role.MEMBER, Measure.AVERAGE_HOURS, "")
        sessions_key = (Role.MEMBER, Measure.SESSIONS_HELD, "")
        assert rows[world.unit_a1].cells[hours_key].value == Decimal("8.00")  # (10 + 6) / 2
        assert rows[world.unit_a1].cells[hours_key].status == "stretch"
        assert rows[world.unit_a2].cells[hours_key].value == Decimal("2.00")
        assert rows[world.unit_a2].cells[hours_key].status == "missed"
        assert rows[world.unit_a].cells[hours_key].value == Decimal("6.00")  # rolled up: 18 / 3
        assert rows[world.unit_a].cells[hours_key].status == "required"
        assert rows[world.unit_a1].cells[sessions_key].value == 1
        assert rows[world.unit_a2].cells[sessions_key].status == "missed"
        assert board.rows[0].unit.id == world.unit_a  # the unit itself first, then the units below


def test_a_unit_below_overrides_an_inherited_target_for_itself(app, world):
    with app.app_context():
        services.set_target(
            unit(world.committee_a),
            Role.MEMBER,
            YEAR,
            [2],
            Measure.SESSIONS_HELD,
            None,
            "2",
            "4",
            user_named("admin"),
        )
        services.set_target(
            unit(world.unit_a1),
            Role.MEMBER,
            YEAR,
            [2],
            Measure.SESSIONS_HELD,
            None,
            "1",
            "1",
            user_named("admin"),
        )
        hold_session(world.unit_a1, date(2026, 4, 2))
        board = services.build_board(unit(world.unit_a), YEAR, 2)
        key = (Role.MEMBER, Measure.SESSIONS_HELD, "")
        rows = {row.unit.id: row.cells[key] for row in board.rows}
        assert rows[world.unit_a1].target.unit_id == world.unit_a1 and rows[world.unit_a1].status == "stretch"
        assert (
            rows[world.unit_a2].target.unit_id == world.committee_a and rows[world.unit_a2].status == "missed"
        )


def test_recorded_values_add_up_the_tree_and_secretaries_targets_count_secretaries(app, world):
    with app.app_context():
        committee = unit(world.unit_a)
        services.set_target(
            committee,
            Role.MEMBER,
            YEAR,
            [3],
            Measure.MANUAL,
            "主题党日参与率",
            "80",
            "95",
            user_named("admin"),
        )
        services.set_target(
            committee, Role.SECRETARY, YEAR, [3], Measure.AVERAGE_HOURS, None, "5", "10", user_named("admin")
        )
        services.record_value(unit(world.unit_a1), YEAR, 3, "主题党日参与率", "90", user_named("sec_a"))
        give_hours("sec_a", "12", datetime(2026, 8, 1))
        give_hours("member_a", "1", datetime(2026, 8, 1))
        board = services.build_board(committee, YEAR, 3)
        rows = {row.unit.id: row for row in board.rows}
        manual = rows[world.unit_a1].cells[(Role.MEMBER, Measure.MANUAL, "主题党日参与率")]
        assert (manual.value, manual.status) == (Decimal("90"), "required")
        secretaries = rows[world.unit_a1].cells[(Role.SECRETARY, Measure.AVERAGE_HOURS, "")]
        assert (secretaries.value, secretaries.population, secretaries.status) == (
            Decimal("12.00"),
            1,
            "stretch",
        )
        assert rows[world.unit_a2].cells[(Role.SECRETARY, Measure.AVERAGE_HOURS, "")].status == "none"


@pytest.mark.parametrize(
    ("required", "stretch", "measure", "name"),
    [
        ("5", "4", Measure.AVERAGE_HOURS, None),
        ("50", "120", Measure.REQUIRED_COMPLETION, None),
        ("1", "2", Measure.MANUAL, ""),
    ],
)
def test_bad_targets_are_refused_and_nothing_changes(app, world, required, stretch, measure, name):
    with app.app_context():
        with pytest.raises(services.AssessmentError):
            services.set_target(
                unit(world.unit_a),
                Role.MEMBER,
                YEAR,
                [1],
                measure,
                name,
                required,
                stretch,
                user_named("admin"),
            )
        db.session.rollback()
        assert services.own_targets(unit(world.unit_a), YEAR, 1) == []


def test_a_secretary_sets_targets_writes_pdca_notes_and_exports_the_board(app, world, client, auth):
    auth.login("sec_a")
    page = f"/assessment/units/{world.unit_a1}?year={YEAR}&quarter=1"
    assert client.get(page).status_code == 200
    token = csrf_token(client, page)
    response = client.post(
        f"/assessment/units/{world.unit_a1}/targets?year={YEAR}&quarter=1",
        data={
            "csrf_token": token,
            "role": "member",
            "measure": "average_hours",
            "quarters": ["1", "2"],
            "required_level": "3",
            "stretch_level": "6",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/assessment/units/{world.unit_a1}/pdca?year={YEAR}&quarter=1",
        data={
            "csrf_token": token,
            "plan": "每月集中学习一次",
            "do": "已开展两次",
            "check": "参学率偏低",
            "act": "增加线上学习",
        },
    )
    assert response.status_code == 302
    board_page = client.get(page).get_data(as_text=True)
    assert "每月集中学习一次" in board_page and "增加线上学习" in board_page
    assert 'data-testid="parent-board"' not in board_page  # the general branch above is not theirs
    with client.get(f"/assessment/units/{world.unit_a1}/board.xlsx?year={YEAR}&quarter=1") as export:
        workbook = load_workbook(io.BytesIO(export.data))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header[0] == "组织" and "党员·人均学时 必达目标" in header
    assert workbook["PDCA"]["B2"].value == "每月集中学习一次"
    with client.get(f"/assessment/units/{world.unit_a1}/board.csv?year={YEAR}&quarter=2") as export:
        rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[1][0].endswith("第一党支部") and rows[1][2] == "3.0"
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"assessment_target.set", "assessment_pdca.save"} <= actions
        assert len(services.own_targets(unit(world.unit_a1), YEAR, 2)) == 1  # one action, two quarters


@pytest.mark.parametrize(
    ("username", "unit_attr", "view", "change"),
    [
        ("sec_a", "unit_a1", 200, 302),
        ("sec_a", "unit_b1", 404, 404),  # another committee's branch
        ("member_a", "unit_a1", 404, 404),
        ("admin", "unit_b1", 200, 302),
    ],
)
def test_who_may_see_and_change_a_units_assessment(
    app, world, client, auth, username, unit_attr, view, change
):
    unit_id = getattr(world, unit_attr)
    auth.login(username)
    assert client.get(f"/assessment/units/{unit_id}").status_code == view
    token = csrf_token(client, "/")
    response = client.post(f"/assessment/units/{unit_id}/pdca", data={"csrf_token": token, "plan": "计划"})
    assert response.status_code == change


def test_required_course_completion_counts_certificates_issued_by_the_quarters_end(app, world):
    from app.courses.models import Assignment
    from app.progress.models import Certificate
    from tests.factories.courses import make_course

    with app.app_context():
        course = make_course("dangzhang")
        db.session.add(Assignment(course_id=course.id, unit_id=world.unit_a, year=YEAR, required=True))
        for username, issued in (("member_a", datetime(2026, 3, 1)), ("member_a2", datetime(2026, 7, 1))):
            member = user_named(username)
            db.session.add(
                Certificate(
                    code=f"c-{username}",
                    user_id=member.id,
                    course_id=course.id,
                    holder_name=member.display_name,
                    course_title=course.title,
                    hours=Decimal("2"),
                    issued_at=issued,
                )
            )
        db.session.commit()
        services.set_target(
            unit(world.unit_a),
            Role.MEMBER,
            YEAR,
            [1, 3],
            Measure.REQUIRED_COMPLETION,
            None,
            "50",
            "100",
            user_named("admin"),
        )
        key = (Role.MEMBER, Measure.REQUIRED_COMPLETION, "")
        first = {
            row.unit.id: row.cells[key] for row in services.build_board(unit(world.unit_a), YEAR, 1).rows
        }
        third = {
            row.unit.id: row.cells[key] for row in services.build_board(unit(world.unit_a), YEAR, 3).rows
        }
        assert first[world.unit_a1].value == Decimal("50.0")  # member_a of member_a and sec_a
        assert first[world.unit_a2].value == Decimal("0.0") and first[world.unit_a2].status == "missed"
        assert third[world.unit_a2].value == Decimal("100.0") and third[world.unit_a2].status == "stretch"
        assert third[world.unit_a].value == Decimal("66.7")  # 2 of 3, rolled up


def test_the_boards_index_is_for_those_who_have_a_board(client, auth, world):
    auth.login("member_a")
    assert client.get("/assessment/").status_code == 403
    auth.logout()
    auth.login("sec_a")
    response = client.get("/assessment/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/assessment/units/{world.unit_a1}")


def flashed(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def test_a_refused_change_says_why_and_goes_back_to_the_quarter(app, client, auth, world):
    auth.login("sec_a")
    token = csrf_token(client, "/")
    targets = f"/assessment/units/{world.unit_a1}/targets?year={YEAR}&quarter=3"
    fields = {"csrf_token": token, "role": "member", "measure": "average_hours", "quarters": ["3"]}
    response = client.post(targets, data={**fields, "required_level": "6", "stretch_level": "3"})
    assert response.headers["Location"] == f"/assessment/units/{world.unit_a1}?year={YEAR}&quarter=3"
    with app.test_request_context():
        refused = gettext("The stretch level cannot be below the required level.")
        invalid = gettext("Give the measure's name and a value of 0 or more.")
    assert flashed(client) == [("error", refused)]
    client.post(f"/assessment/units/{world.unit_a1}/values", data={"csrf_token": token, "value": "-1"})
    assert flashed(client) == [("error", invalid)]
    with app.app_context():
        assert services.own_targets(unit(world.unit_a1), YEAR, 3) == []
