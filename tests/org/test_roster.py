"""Roster import and export (花名册): CSV and XLSX, all-or-nothing, idempotent."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.extensions import db
from app.org import roster
from app.org.models import MembershipChange
from tests.web import csrf_token

HEADER = ["姓名", "用户名/工号", "所在支部", "角色", "手机"]
GOOD_ROWS = [
    ["赵一", "1001", "甲党委/机关党总支/第一党支部", "党员", "13800000001"],
    ["钱二", "1002", "甲党委/机关党总支/第二党支部", "党员、书记", ""],
    ["孙三", "member_a", "甲党委/机关党总支/第二党支部", "党员", ""],  # existing: moves branch
]


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    return "\n".join(",".join(row) for row in [HEADER, *rows]).encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in [HEADER, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def account_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


@pytest.mark.parametrize(("filename", "make"), [("roster.csv", csv_bytes), ("roster.xlsx", xlsx_bytes)])
def test_a_roster_creates_updates_and_moves_members(app, world, filename, make):
    with app.app_context():
        report = roster.import_roster(make(GOOD_ROWS), filename, actor=None)
        assert report.ok and report.written
        assert sorted(report.created) == ["1001", "1002"]
        assert report.updated == ["member_a"]
        qian = db.session.scalar(select(User).where(User.username == "1002"))
        assert qian.roles == {Role.MEMBER, Role.SECRETARY}
        secretary_grant = next(g for g in qian.role_grants if g.role is Role.SECRETARY)
        assert secretary_grant.unit_id == world.unit_a2
        moved = db.session.get(User, world.member_a)
        assert moved.display_name == "孙三" and moved.unit_id == world.unit_a2
        assert (
            db.session.scalar(
                select(func.count()).select_from(MembershipChange).where(MembershipChange.user_id == moved.id)
            )
            == 2
        )


def test_importing_the_same_file_again_changes_nothing(app, world):
    with app.app_context():
        roster.import_roster(csv_bytes(GOOD_ROWS), "roster.csv", actor=None)
        history_before = db.session.scalar(select(func.count()).select_from(MembershipChange))
        again = roster.import_roster(csv_bytes(GOOD_ROWS), "roster.csv", actor=None)
        assert again.created == [] and again.updated == [] and again.unchanged == 3
        assert db.session.scalar(select(func.count()).select_from(MembershipChange)) == history_before


def test_bad_rows_are_all_reported_by_row_number_and_nothing_is_written(app, world):
    rows = [
        GOOD_ROWS[0],
        ["", "1003", "甲党委/机关党总支/第一党支部", "党员", ""],  # row 3: no name
        ["李四", "1004", "甲党委/不存在的支部", "党员", ""],  # row 4: unknown unit
        ["周五", "1005", "甲党委/机关党总支/第一党支部", "群众", ""],  # row 5: unknown role
        ["吴六", "1001", "甲党委/机关党总支/第一党支部", "党员", ""],  # row 6: duplicate username
        ["郑七", "1007", "甲党委/机关党总支/第一党支部", "党员", "not-a-phone"],  # row 7
    ]
    with app.app_context():
        before = account_count()
        report = roster.import_roster(csv_bytes(rows), "roster.csv", actor=None)
        assert not report.written
        assert [number for number, _message in report.errors] == [3, 4, 5, 6, 7]
        messages = dict(report.errors)
        assert "姓名" in messages[3]
        assert "甲党委/不存在的支部" in messages[4]
        assert "群众" in messages[5]
        assert account_count() == before


def test_a_dry_run_reports_but_writes_nothing(app, world):
    with app.app_context():
        before = account_count()
        report = roster.import_roster(csv_bytes(GOOD_ROWS), "roster.csv", actor=None, dry_run=True)
        assert report.ok and not report.written and len(report.created) == 2
        assert account_count() == before
        assert db.session.get(User, world.member_a).unit_id == world.unit_a1


def test_a_gb18030_csv_from_excel_is_read(app, world):
    with app.app_context():
        report = roster.import_roster(csv_bytes(GOOD_ROWS[:1], encoding="gb18030"), "名单.csv", actor=None)
        assert report.created == ["1001"]
        assert db.session.scalar(select(User.display_name).where(User.username == "1001")) == "赵一"


def test_excel_numbers_for_staff_numbers_and_phones_are_read_as_text(app, world):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["赵一", 1001, "甲党委/机关党总支/第一党支部", "党员", 13800000001])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with app.app_context():
        report = roster.import_roster(buffer.getvalue(), "roster.xlsx", actor=None)
        assert report.created == ["1001"]
        assert db.session.scalar(select(User.phone).where(User.username == "1001")) == "13800000001"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x00\x01garbage", "roster.xlsx", "Excel"),
        (b"name,user\n", "roster.csv", "所在支部"),
        (b"", "roster.csv", "空"),
        (b"whatever", "roster.pdf", ".csv"),
    ],
)
def test_unreadable_files_get_a_clear_message(app, world, data, filename, message):
    with app.test_request_context("/"), pytest.raises(roster.RosterFileError, match=message):
        roster.import_roster(data, filename, actor=None)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(app, world, tmp_path, runner, extension):
    target = tmp_path / f"roster.{extension}"
    assert runner.invoke(args=["users", "export", str(target)]).exit_code == 0
    result = runner.invoke(args=["users", "import", str(target)])
    assert result.exit_code == 0, result.output
    assert "0 were created, 0 were updated, 6 unchanged" in result.output


def test_export_layout_has_the_chinese_headers(app, world, tmp_path, runner):
    target = tmp_path / "roster.xlsx"
    runner.invoke(args=["users", "export", str(target)])
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert ("甲书记", "sec_a", "甲党委/机关党总支/第一党支部", "党员、书记", None) in rows


def test_cli_dry_run_lists_bad_rows_and_fails(app, world, tmp_path, runner):
    source = tmp_path / "roster.csv"
    source.write_bytes(csv_bytes([GOOD_ROWS[0], ["李四", "1004", "甲党委/不存在的支部", "党员", ""]]))
    result = runner.invoke(args=["users", "import", str(source), "--dry-run"])
    assert result.exit_code != 0
    assert "row 3:" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "1001")) is None


def test_a_secretary_cannot_import_into_another_branch(app, world):
    with app.app_context():
        secretary = db.session.get(User, world.sec_a)
        rows = [
            ["外人", "2001", "乙党委/第一党支部", "党员", ""],
            ["提权", "2002", "甲党委/机关党总支/第一党支部", "管理员", ""],
        ]
        report = roster.import_roster(csv_bytes(rows), "roster.csv", actor=secretary)
        assert [number for number, _ in report.errors] == [2, 3]
        assert db.session.scalar(select(User).where(User.username.in_(["2001", "2002"]))) is None


def upload_roster(client, rows):
    """Post rows as a CSV file to the browser's roster check, as the upload form does."""
    return client.post(
        "/org/roster/import",
        data={
            "roster": (io.BytesIO(csv_bytes(rows)), "roster.csv"),
            "csrf_token": csrf_token(client, "/org/roster/import"),
        },
        content_type="multipart/form-data",
    )


def test_a_secretary_imports_through_the_browser_after_checking(app, world, client, auth):
    auth.login("sec_a")
    rows = [["赵一", "1001", "甲党委/机关党总支/第一党支部", "党员", ""]]
    checked = upload_roster(client, rows)
    page = checked.get_data(as_text=True)
    assert 'data-testid="roster-report"' in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "1001")) is None
    confirmed = client.post(
        "/org/roster/import/confirm", data={"csrf_token": csrf_token(client, "/org/roster/import")}
    )
    assert confirmed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.unit_id).where(User.username == "1001")) == world.unit_a1


def test_the_browser_shows_bad_rows_and_offers_no_import_button(world, client, auth):
    auth.login("sec_a")
    rows = [["李四", "1004", "甲党委/不存在的支部", "党员", ""]]
    page = upload_roster(client, rows).get_data(as_text=True)
    assert "甲党委/不存在的支部" in page
    assert "/org/roster/import/confirm" not in page


def test_an_oversized_roster_is_refused_in_the_browser(app, world, client, auth):
    app.config["ROSTER_MAX_BYTES"] = 1024
    auth.login("sec_a")
    rows = [[f"党员{n}", f"{5000 + n}", "甲党委/机关党总支/第一党支部", "党员", ""] for n in range(100)]
    page = upload_roster(client, rows).get_data(as_text=True)
    assert "花名册文件过大" in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "5000")) is None
