"""Question banks in and out of Excel: 题型, 题干, 选项A…F, 答案, 解析, 分类."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.quizzes.errors import QuizError
from app.quizzes.excel import HEADERS
from app.quizzes.models import Question, QuestionKind
from app.quizzes.services import banks
from tests.factories.quizzes import make_bank

ROWS = [
    [
        "单选题",
        "党的最高理想是什么？",
        "实现共产主义",
        "全面小康",
        "",
        "",
        "",
        "",
        "A",
        "党章总纲。",
        "党章/总纲",
    ],
    [
        "多选题",
        "党的纪律包括？",
        "政治纪律",
        "组织纪律",
        "作息纪律",
        "廉洁纪律",
        "",
        "",
        "A、B、D",
        "",
        "党章/纪律",
    ],
    ["判断题", "预备党员有表决权。", "", "", "", "", "", "", "错", "没有表决权。", "党章"],
    ["填空题", "党的一大召开于____年。", "", "", "", "", "", "", "1921 | 一九二一", "", "党史"],
    ["数值题", "一大代表有几人？", "", "", "", "", "", "", "13", "", "党史"],
    ["数值题", "圆周率约为？", "", "", "", "", "", "", "3.14:0.01", "", "常识"],
    ["匹配题", "会议与年份", "遵义会议 -> 1935", "古田会议 -> 1929", "", "", "", "", "", "", "党史"],
    ["简答题", "谈谈学习体会。", "", "", "", "", "", "", "", "言之有理即可。", "心得"],
]


def workbook(rows, header=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_sheet_in_the_usual_layout_imports_every_kind(app):
    with app.app_context():
        report = banks.import_excel(make_bank(), workbook(ROWS))
        assert report.ok and report.created == 8
        questions = {q.text: q for q in db.session.scalars(select(Question))}
        assert questions["党的最高理想是什么？"].category.path == "党章/总纲"
    multiple = questions["党的纪律包括？"]
    assert multiple.kind is QuestionKind.MULTIPLE
    assert [a["fraction"] for a in multiple.answers] == [0.3333333, 0.3333333, -0.3333333, 0.3333333]
    assert questions["预备党员有表决权。"].answers[1]["fraction"] == 1.0
    assert [a["text"] for a in questions["党的一大召开于____年。"].answers] == ["1921", "一九二一"]
    assert questions["圆周率约为？"].answers[0]["tolerance"] == 0.01
    assert questions["党的最高理想是什么？"].general_feedback == "党章总纲。"


def test_bad_rows_are_reported_by_row_number_and_nothing_is_written(app):
    bad = [
        ROWS[0],
        ["单选题", "没有正确答案", "甲", "乙", "", "", "", "", "C", "", ""],
        ["猜谜题", "未知题型", "", "", "", "", "", "", "", "", ""],
        ROWS[2],
        ["判断题", "答案不是对错", "", "", "", "", "", "", "也许", "", ""],
        ["多选题", "选项有空缺", "甲", "", "丙", "", "", "", "AC", "", ""],
    ]
    with app.app_context():
        report = banks.import_excel(make_bank(), workbook(bad))
        assert [row for row, _message in report.errors] == [3, 4, 6, 7]
        assert report.created == 0
        assert db.session.scalar(select(func.count(Question.id))) == 0


def test_a_sheet_without_the_required_titles_is_refused(app):
    with app.app_context(), pytest.raises(QuizError):
        banks.import_excel(make_bank(), workbook(ROWS, header=["类型", "内容"]))


def test_excel_round_trip_gives_the_same_questions_and_the_same_sheet(app):
    with app.app_context():
        first = make_bank("甲")
        banks.import_excel(first, workbook(ROWS))
        exported = banks.export_excel(first)
        second = make_bank("乙")
        report = banks.import_excel(second, exported)
        assert report.ok and report.created == len(ROWS)
        assert banks.export_json(first) == banks.export_json(second)
        assert _cells(banks.export_excel(second)) == _cells(exported)
    assert _cells(exported)[0] == HEADERS


def _cells(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_cli_imports_and_exports_excel(app, runner, tmp_path):
    source = tmp_path / "bank.xlsx"
    source.write_bytes(workbook(ROWS))
    result = runner.invoke(args=["quizzes", "import-excel", str(source), "--bank", "表格题库"])
    assert result.exit_code == 0 and f"imported {len(ROWS)} question(s)" in result.output
    target = tmp_path / "out.xlsx"
    assert runner.invoke(args=["quizzes", "export-bank", "表格题库", "--xlsx", str(target)]).exit_code == 0
    assert ["单选题", "党的最高理想是什么？"] in [row[:2] for row in _cells(target.read_bytes())]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([ROWS[0], ["单选题", "无答案", "甲", "乙", "", "", "", "", "", "", ""]]))
    failed = runner.invoke(args=["quizzes", "import-excel", str(bad), "--bank", "表格题库"])
    assert failed.exit_code != 0 and "row 3:" in failed.output
