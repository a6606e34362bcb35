"""A unit's assessment board as XLSX (the board and the PDCA notes) or CSV (the board), Chinese headers.

As in the reports' exports, the headers are fixed Chinese whatever the interface language.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from app.assessment.models import Measure
from app.assessment.services import Board
from app.auth.models import Role
from app.spreadsheets import InertCsvWriter, workbook_bytes

ROLE_NAMES = {Role.MEMBER: "党员", Role.SECRETARY: "书记"}
MEASURE_NAMES = {
    Measure.AVERAGE_HOURS: "人均学时",
    Measure.REQUIRED_COMPLETION: "必修课完成率(%)",
    Measure.SESSIONS_HELD: "集中学习次数",
    Measure.MANUAL: "",
}
STATUS_NAMES = {
    "stretch": "挑战目标达成",
    "required": "必达目标达成",
    "missed": "未达必达目标",
    "none": "无可计量",
}
PDCA_NAMES = {"plan": "计划(P)", "do": "执行(D)", "check": "检查(C)", "act": "改进(A)"}


def _column(key: tuple[Role, Measure, str]) -> str:
    role, measure, name = key
    return f"{ROLE_NAMES[role]}·{name or MEASURE_NAMES[measure]}"


def board_rows(board: Board) -> list[list[str | float]]:
    header: list[str | float] = ["组织"]
    for key in board.keys:
        title = _column(key)
        header += [f"{title} 实际值", f"{title} 必达目标", f"{title} 挑战目标", f"{title} 达成情况"]
    rows = [header]
    for row in board.rows:
        cells: list[str | float] = [row.path]
        for key in board.keys:
            cell = row.cells.get(key)
            if cell is None:
                cells += ["", "", "", ""]
                continue
            cells += [
                float(cell.value) if cell.value is not None else "",
                float(cell.target.required_level),
                float(cell.target.stretch_level),
                STATUS_NAMES[cell.status],
            ]
        rows.append(cells)
    return rows


def board_csv(board: Board) -> str:
    buffer = io.StringIO()
    InertCsvWriter(buffer).writerows(board_rows(board))
    return buffer.getvalue()


def board_xlsx(board: Board) -> bytes:
    workbook = Workbook()
    sheet = workbook.create_sheet()
    workbook.remove(workbook.worksheets[0])
    sheet.title = f"{board.year}年第{board.quarter}季度"
    for row in board_rows(board):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    notes = workbook.create_sheet("PDCA")
    notes.append(["环节", "内容"])
    for name, title in PDCA_NAMES.items():
        notes.append([title, getattr(board.notes, name, "") if board.notes else ""])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    return workbook_bytes(workbook)
