"""The figures of a unit's report against the hand-computed year in conftest.py."""

from decimal import Decimal

from app.reports.pace import expected_hours
from app.reports.services import build_unit_report
from tests.factories.reports import ON, YEAR


def by_username(report) -> dict:
    return {member.username: member for member in report.members}


def test_the_pace_spreads_the_target_over_the_days_of_the_year():
    assert expected_hours(Decimal("32"), YEAR, ON) == Decimal("15.96")  # 32 × 182 / 365
    assert expected_hours(Decimal("32"), YEAR + 1, ON) == 0
    assert expected_hours(Decimal("32"), YEAR - 1, ON) == Decimal("32")


def test_each_member_s_hours_target_courses_and_flags(app, world, year_of_study):
    with app.app_context():
        report = build_unit_report(world.committee_a, YEAR, ON)
    members = by_username(report)
    assert sorted(members) == ["member_a", "member_a2", "sec_a", "trainer"]
    member_a = members["member_a"]
    assert (member_a.hours, member_a.target) == (Decimal("11"), Decimal("32"))  # the correction counts
    assert (member_a.required_completed, member_a.required_assigned) == (2, 2)
    assert member_a.behind_pace and member_a.overdue == []  # 11 < 15.96, but nothing overdue
    sec_a = members["sec_a"]
    assert sec_a.target == Decimal("56")  # the secretaries' target set on their branch
    assert (sec_a.required_completed, sec_a.required_assigned) == (0, 2)
    assert sec_a.overdue == ["c-party"]  # c-branch is due only at the end of the year
    member_a2 = members["member_a2"]
    assert (member_a2.hours, member_a2.behind_pace, member_a2.overdue) == (Decimal("40"), False, [])
    assert members["trainer"].overdue == ["c-party"]
    assert members["member_a"].unit_path == "甲党委/机关党总支/第一党支部"


def test_totals_courses_subunits_and_months(app, world, year_of_study):
    with app.app_context():
        report = build_unit_report(world.committee_a, YEAR, ON)
    totals = report.unit
    assert (totals.path, totals.members, totals.hours, totals.target) == (
        "甲党委",
        4,
        Decimal("56"),
        Decimal("152"),
    )
    assert (totals.required_completed, totals.required_assigned, totals.completion_rate) == (3, 6, 0.5)
    assert (totals.overdue_members, totals.behind_members, totals.reached_target) == (2, 3, 1)
    courses = {course.slug: course for course in report.courses}
    assert sorted(courses) == ["c-branch", "c-party"]  # neither the elective nor the other committee's
    assert (courses["c-party"].assigned, courses["c-party"].completed) == (4, 2)
    assert (courses["c-branch"].assigned, courses["c-branch"].completed) == (2, 1)
    [general_branch] = report.subunits  # the trainer sits in the committee itself
    assert general_branch.id == world.unit_a
    assert (general_branch.members, general_branch.hours, general_branch.target) == (
        3,
        Decimal("56"),
        Decimal("120"),
    )
    assert (general_branch.overdue_members, general_branch.behind_members) == (1, 2)
    assert report.hours_by_month[2:6] == [Decimal("15"), Decimal("0"), Decimal("1"), Decimal("40")]
    assert sum(report.hours_by_month) == totals.hours


def test_a_branch_report_holds_only_that_branch(app, world, year_of_study):
    with app.app_context():
        report = build_unit_report(world.unit_a1, YEAR, ON)
    assert sorted(by_username(report)) == ["member_a", "sec_a"]
    assert report.unit.hours == Decimal("16") and report.subunits == []


def test_another_year_has_its_own_assignments_and_no_hours(app, world, year_of_study):
    with app.app_context():
        report = build_unit_report(world.committee_a, YEAR - 1, ON)
    assert report.unit.hours == 0
    assert [course.slug for course in report.courses] == ["c-branch"]
    assert all(member.overdue == [] for member in report.members)  # that assignment had no due date
    # The year is over: whoever did not reach its target stays behind it.
    assert report.unit.behind_members == report.unit.members == 4 and report.unit.reached_target == 0


def test_the_json_names_the_contract_fields(app, world, year_of_study):
    with app.app_context():
        data = build_unit_report(world.unit_a, YEAR, ON).as_json()
    assert data["unit"] == {"id": world.unit_a, "path": "甲党委/机关党总支", "name": "机关党总支"}
    assert data["year"] == YEAR
    member = next(row for row in data["members"] if row["username"] == "member_a")
    assert member == {
        "username": "member_a",
        "name": "甲党员",
        "unit_path": "甲党委/机关党总支/第一党支部",
        "hours": 11.0,
        "target": 32.0,
        "required_completed": 2,
        "required_assigned": 2,
        "behind_pace": True,
        "overdue": [],
    }
    party = next(row for row in data["courses"] if row["slug"] == "c-party")
    assert party == {
        "slug": "c-party",
        "title": "党章学习",
        "due_date": "2026-06-30",
        "assigned": 3,
        "completed": 2,
        "completion_rate": 0.6667,
    }
    assert [row["name"] for row in data["subunits"]] == ["第一党支部", "第二党支部"]
    assert data["subunits"][0]["hours"] == 16.0 and data["subunits"][1]["required_completed"] == 1
