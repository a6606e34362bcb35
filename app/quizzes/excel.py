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

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from app.quizzes.data import QuestionData
from app.quizzes.errors import QuizError
from app.quizzes.kinds import FULL_MARKS, NUMBER
from app.quizzes.models import Question, QuestionKind
from app.spreadsheets import SpreadsheetTooLarge, SpreadsheetUnreadable, first_sheet_rows, workbook_bytes

LETTERS = "ABCDEF"
OPTION_HEADERS = [f"选项{letter}" for letter in LETTERS]
HEADERS = ["题型", "题干", *OPTION_HEADERS, "答案", "解析", "分类"]
REQUIRED = ("题型", "题干", "答案")
KIND_NAMES = {
    QuestionKind.SINGLE: "单选题",
    QuestionKind.MULTIPLE: "多选题",
    QuestionKind.TRUEFALSE: "判断题",
    QuestionKind.SHORTANSWER: "填空题",
    QuestionKind.NUMERICAL: "数值题",
    QuestionKind.MATCHING: "匹配题",
    QuestionKind.ESSAY: "简答题",
    QuestionKind.DESCRIPTION: "说明",
}
KIND_ALIASES = (
    {name: kind for kind, name in KIND_NAMES.items()}
    | {name[:-1]: kind for kind, name in KIND_NAMES.items() if name.endswith("题")}
    | {kind.value: kind for kind in QuestionKind}
    | {"论述题": QuestionKind.ESSAY, "问答题": QuestionKind.ESSAY}
)
TRUE_WORDS = {"对", "正确", "√", "是", "T", "TRUE", "Y"}
FALSE_WORDS = {"错", "错误", "×", "否", "F", "FALSE", "N"}
ANSWER_SEPARATORS = re.compile(r"\s*[|｜]\s*")
LETTER_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass
class ExcelRows:
    items: list[QuestionData]
    rows: list[int]
    errors: list[tuple[int, str]]


# A header row and up to 5,000 questions; the columns may be in any order among the first 64.
MAX_ROWS = 5001
MAX_COLUMNS = 64


def _cell(value) -> str:
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
    kind = KIND_ALIASES.get(cells["题型"])
    if kind is None:
        raise QuizError(_("Unknown question type “%(kind)s”.", kind=cells["题型"]))
    options = [cells.get(name, "") for name in OPTION_HEADERS]
    while options and not options[-1]:
        options.pop()
    if "" in options:
        raise QuizError(_("Options must be filled from 选项A on, without gaps."))
    answer = cells["答案"]
    data = QuestionData(
        kind=kind,
        text=cells["题干"],
        answers=[],
        category=cells.get("分类", ""),
        general_feedback=cells.get("解析", ""),
    )
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        data.answers = _choice_answers(kind, options, answer)
    elif options and kind is not QuestionKind.MATCHING:
        raise QuizError(_("This question type takes no options."))
    elif kind is QuestionKind.TRUEFALSE:
        word = answer.upper()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise QuizError(_("The answer of a true/false question is 对 or 错."))
        correct = word in TRUE_WORDS
        data.answers = [
            {"text": "true", "fraction": 1.0 if correct else 0.0, "feedback": ""},
            {"text": "false", "fraction": 0.0 if correct else 1.0, "feedback": ""},
        ]
    elif kind is QuestionKind.SHORTANSWER:
        accepted = [text for text in ANSWER_SEPARATORS.split(answer) if text]
        data.answers = [{"text": text, "fraction": 1.0, "feedback": ""} for text in accepted]
    elif kind is QuestionKind.NUMERICAL:
        data.answers = [_numerical_answer(answer)]
    elif kind is QuestionKind.MATCHING:
        if answer:
            raise QuizError(_("Leave 答案 empty for a matching question: each option is “left -> right”."))
        data.answers = _pairs(options)
    elif answer:
        raise QuizError(_("Leave 答案 empty for this question type; put the model answer in 解析."))
    if not data.text:
        raise QuizError(_("The question has no text."))
    return data


def _choice_answers(kind: QuestionKind, options: list[str], answer: str) -> list[dict]:
    if len(options) < 2:
        raise QuizError(_("A choice question needs at least two options."))
    letters = [letter for letter in LETTER_SEPARATORS.sub("", answer.upper())]
    if not letters or any(letter not in LETTERS[: len(options)] for letter in letters):
        raise QuizError(_("The answer “%(answer)s” does not name the options given.", answer=answer))
    if len(set(letters)) != len(letters):
        raise QuizError(_("The answer names an option twice."))
    if kind is QuestionKind.SINGLE:
        if len(letters) != 1:
            raise QuizError(_("A single-choice question has exactly one answer letter."))
        return [
            {"text": text, "fraction": float(LETTERS[i] in letters), "feedback": ""}
            for i, text in enumerate(options)
        ]
    share = round(1 / len(letters), 7)
    return [
        {"text": text, "fraction": share if LETTERS[i] in letters else -share, "feedback": ""}
        for i, text in enumerate(options)
    ]


def _numerical_answer(answer: str) -> dict:
    answer = answer.replace("：", ":").replace(" ", "")
    if ".." in answer:
        low, _sep, high = answer.partition("..")
        if NUMBER.fullmatch(low) and NUMBER.fullmatch(high) and float(low) <= float(high):
            return {"text": answer, "fraction": 1.0, "feedback": "", "min": float(low), "max": float(high)}
    else:
        value, _sep, tolerance = answer.partition(":")
        if NUMBER.fullmatch(value) and (not tolerance or NUMBER.fullmatch(tolerance)):
            return {"text": value, "fraction": 1.0, "feedback": "", "tolerance": abs(float(tolerance or 0))}
    raise QuizError(_("The answer of a numerical question is a number, “3.14:0.01” or “1..5”."))


def _pairs(options: list[str]) -> list[dict]:
    pairs = []
    for option in options:
        if "->" not in option:
            raise QuizError(_("Each option of a matching question is “left -> right”."))
        left, right = (part.strip() for part in option.split("->", 1))
        pairs.append({"question": left, "answer": right})
    return pairs


def _answer_cell(question: Question) -> tuple[list[str], str]:
    kind, answers = question.kind, question.answers
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        threshold = FULL_MARKS if kind is QuestionKind.SINGLE else 0
        letters = "".join(
            LETTERS[i] for i, a in enumerate(answers[: len(LETTERS)]) if a["fraction"] > threshold
        )
        return [a["text"] for a in answers[: len(LETTERS)]], letters
    if kind is QuestionKind.TRUEFALSE:
        return [], "对" if answers[0]["fraction"] >= FULL_MARKS else "错"
    if kind is QuestionKind.SHORTANSWER:
        return [], " | ".join(a["text"] for a in answers if a["fraction"] >= FULL_MARKS)
    if kind is QuestionKind.NUMERICAL:
        best = next(a for a in answers if a["text"] != "*" and a["fraction"] >= FULL_MARKS)
        if "min" in best:
            return [], f"{best['min']:g}..{best['max']:g}"
        return [], f"{best['text']}:{best['tolerance']:g}" if best.get("tolerance") else best["text"]
    if kind is QuestionKind.MATCHING:
        return [f"{p['question']} -> {p['answer']}" for p in answers[: len(LETTERS)]], ""
    return [], ""


def write_workbook(questions: list[Question]) -> bytes:
    """Write questions in the import layout (weights beyond this layout's rules are not kept)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for question in questions:
        options, answer = _answer_cell(question)
        options += [""] * (len(LETTERS) - len(options))
        row = [KIND_NAMES[question.kind], question.text, *options, answer, question.general_feedback]
        sheet.append([*row, question.category.path])
    sheet.column_dimensions["B"].width = 60
    return workbook_bytes(workbook)
