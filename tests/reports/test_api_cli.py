"""The report API and `flask reports unit` give the same figures as the dashboard."""

import json

from openpyxl import load_workbook
from sqlalchemy import event

from app.auth.models import Role
from app.extensions import db
from app.reports.services import build_unit_report
from tests.factories.auth import make_user
from tests.factories.reports import ON, YEAR


def test_the_api_answers_the_documented_json(client, auth, world, year_of_study):
    auth.login("sec_a")
    data = client.get(f"/api/v1/org-units/{world.unit_a1}/report?year={YEAR}").get_json()
    assert set(data) >= {"unit", "year", "members", "courses", "subunits"}
    assert data["unit"]["path"] == "甲党委/机关党总支/第一党支部" and data["year"] == YEAR
    assert {row["username"]: row["hours"] for row in data["members"]} == {"member_a": 11.0, "sec_a": 5.0}


def test_the_api_needs_a_signed_in_user(client, world):
    response = client.get(f"/api/v1/org-units/{world.unit_a1}/report")
    assert response.status_code == 401


def test_the_cli_writes_json_csv_and_xlsx(app, runner, world, year_of_study, tmp_path):
    result = runner.invoke(args=["reports", "unit", "甲党委/机关党总支", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["unit"]["path"] == "甲党委/机关党总支" and len(data["members"]) == 3
    result = runner.invoke(args=["reports", "unit", "甲党委", "--year", str(YEAR), "--format", "csv"])
    assert result.stdout.splitlines()[0].startswith("用户名,姓名,所在组织")
    output = tmp_path / "report.xlsx"
    result = runner.invoke(
        args=["reports", "unit", "甲党委", "--year", str(YEAR), "--format", "xlsx", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(output)["成员学时"].max_row == 5  # the header and four members


def test_the_cli_refuses_an_unknown_unit_and_xlsx_to_the_terminal(runner, world):
    result = runner.invoke(args=["reports", "unit", "甲党委/没有这个支部"])
    assert result.exit_code != 0 and "no unit at" in result.output
    result = runner.invoke(args=["reports", "unit", "甲党委", "--format", "xlsx"])
    assert result.exit_code != 0 and "--output" in result.output


def count_queries(app, unit_id: int) -> int:
    statements = []

    def record(*_args):
        statements.append(1)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            build_unit_report(unit_id, YEAR, ON)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_roll_up_takes_the_same_number_of_queries_whatever_the_subtree_size(app, world, year_of_study):
    small = count_queries(app, world.committee_a)
    with app.app_context():
        for branch in range(5):
            for number in range(4):
                make_user(f"extra{branch}_{number}", (Role.MEMBER,), f"甲党委/机关党总支/新支部{branch}")
    assert count_queries(app, world.committee_a) == small <= 10
