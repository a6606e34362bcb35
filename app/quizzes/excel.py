"""Question banks as spreadsheets, in the layout party-knowledge tests are usually kept in.

Columns: 题型, 题干, 选项A … 选项F, 答案, 解析, 分类 (a path such as 党史/新民主主义革命).

- 题型: 单选题, 多选题, 判断题, 填空题, 数值题, 匹配题, 简答题 (essay), 说明 (description);
- 答案: a letter for 单选题 ("B"), letters for 多选题 ("ACD"), 对/错 for 判断题, the accepted
  answers separated by "|" for 填空题, "3.14:0.01" or "1..5" for 数值题; empty for 匹配题 (each
  option is "left -> right") and for 简答题 and 说明;
- 解析: the explanation shown after answering (general feedback).

A multiple-choice row gives each correct option 1/k of the marks (k correct options) and each
wrong option -1/k, the total held between 0 and full marks (docs/gift.md).
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl.styles import Font

from app.quizzes.data import QuestionData
from app.quizzes.errors import QuizError
from app.quizzes.kinds import KINDS, LETTERS, AnyKind
from app.quizzes.models import Question
from app.spreadsheets import (
    SpreadsheetTooLarge,
    SpreadsheetUnreadable,
    first_sheet_rows,
    new_workbook,
    workbook_bytes,
)

OPTION_HEADERS = [f"选项{letter}" for letter in LETTERS]
HEADERS = ["题型", "题干", *OPTION_HEADERS, "答案", "解析", "分类"]
REQUIRED = ("题型", "题干", "答案")


def kind_named(name: str) -> AnyKind | None:
    """The kind a 题型 cell names: its ``excel_name`` (with or without the final 题), its own name,
    or one of its ``excel_aliases``."""
    for kind in KINDS.values():
        names = {kind.excel_name, kind.name, *kind.excel_aliases}
        if kind.excel_name.endswith("题"):
            names.add(kind.excel_name[:-1])
        if name in names:
            return kind
    return None


@dataclass
class ExcelRows:
    items: list[QuestionData]
    rows: list[int]
    errors: list[tuple[int, str]]


# A header row and up to 5,000 questions; the columns may be in any order among the first 64.
MAX_ROWS = 5001
MAX_COLUMNS = 64


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_workbook(data: bytes) -> ExcelRows:
    """Read every row of the first sheet; bad rows are reported with their row number."""
    try:
        rows = iter(first_sheet_rows(data, MAX_ROWS, MAX_COLUMNS))
    except SpreadsheetTooLarge as error:
        raise QuizError(
            _("The workbook is too large: import at most %(count)d questions at a time.", count=MAX_ROWS - 1)
        ) from error
    except SpreadsheetUnreadable as error:
        raise QuizError(_("The file is not an Excel workbook (.xlsx).")) from error
    header = [_cell(value) for value in next(rows, ())]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise QuizError(_("The first row must hold the column titles %(names)s.", names="、".join(missing)))
    columns = {name: header.index(name) for name in HEADERS if name in header}
    result = ExcelRows([], [], [])
    for number, values in enumerate(rows, start=2):
        cells = {name: _cell(values[index]) if index < len(values) else "" for name, index in columns.items()}
        if not any(cells.values()):
            continue
        try:
            result.items.append(_read_row(cells))
            result.rows.append(number)
        except QuizError as error:
            result.errors.append((number, error.message))
    return result


def _read_row(cells: dict[str, str]) -> QuestionData:
    kind = kind_named(cells["题型"])
    if kind is None:
        raise QuizError(_("Unknown question type “%(kind)s”.", kind=cells["题型"]))
    options = [cells.get(name, "") for name in OPTION_HEADERS]
    while options and not options[-1]:
        options.pop()
    if "" in options:
        raise QuizError(_("Options must be filled from 选项A on, without gaps."))
    if options and not kind.excel_options:
        raise QuizError(_("This question type takes no options."))
    data = QuestionData(
        kind=kind.name,
        text=cells["题干"],
        answers=kind.read_excel(options, cells["答案"]),
        category=cells.get("分类", ""),
        general_feedback=cells.get("解析", ""),
    )
    if not data.text:
        raise QuizError(_("The question has no text."))
    return data


def write_workbook(questions: list[Question]) -> bytes:
    """Write questions in the import layout (weights beyond this layout's rules are not kept)."""
    workbook, sheet = new_workbook("题库")
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for question in questions:
        kind = KINDS[question.kind]
        options, answer = kind.write_excel(question.answers)
        options += [""] * (len(LETTERS) - len(options))
        row = [kind.excel_name, question.text, *options, answer, question.general_feedback]
        sheet.append([*row, question.category.path])
    sheet.column_dimensions["B"].width = 60
    return workbook_bytes(workbook)
