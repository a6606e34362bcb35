"""A unit report as an XLSX workbook (one sheet per view) or as CSV (one view), with Chinese headers;
the quarter's platform activity likewise.

The headers are fixed Chinese whatever the interface language: the files go to party offices, whose
templates and macros read these columns.
"""

import io
from collections.abc import Callable, Iterable

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.reports.activity import ActivityFigures, ActivityReport
from app.reports.services import CourseFigures, MemberFigures, UnitReport, UnitTotals
from app.spreadsheets import InertCsvWriter, new_workbook, workbook_bytes


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


MEMBER_COLUMNS = [
    "用户名",
    "姓名",
    "所在组织",
    "已获学时",
    "年度目标学时",
    "应达进度学时",
    "进度落后",
    "必修完成",
    "必修总数",
    "逾期课程",
]
COURSE_COLUMNS = ["课程标识", "课程名称", "截止日期", "应学人数", "完成人数", "完成率"]
SUBUNIT_COLUMNS = [
    "组织",
    "党员人数",
    "已获学时",
    "目标学时",
    "人均学时",
    "必修完成",
    "必修总数",
    "必修完成率",
    "逾期人数",
    "进度落后人数",
    "达标人数",
]


def member_cells(member: MemberFigures) -> list[object]:
    return [
        member.username,
        member.name,
        member.unit_path,
        float(member.hours),
        float(member.target),
        float(member.expected),
        _yes_no(member.behind_pace),
        member.required_completed,
        member.required_assigned,
        "、".join(member.overdue),
    ]


def course_cells(course: CourseFigures) -> list[object]:
    due = course.due_date.isoformat() if course.due_date else ""
    return [
        course.slug,
        course.title,
        due,
        course.assigned,
        course.completed,
        f"{course.completion_rate:.1%}",
    ]


def subunit_cells(totals: UnitTotals) -> list[object]:
    return [
        totals.path,
        totals.members,
        float(totals.hours),
        float(totals.target),
        float(totals.average_hours),
        totals.required_completed,
        totals.required_assigned,
        f"{totals.completion_rate:.1%}",
        totals.overdue_members,
        totals.behind_members,
        totals.reached_target,
    ]


# Each view: its sheet name, its columns, and the rows of cells of a report.
VIEWS: dict[str, tuple[str, list[str], Callable[[UnitReport], Iterable[list[object]]]]] = {
    "members": ("成员学时", MEMBER_COLUMNS, lambda report: map(member_cells, report.members)),
    "courses": ("必修课程", COURSE_COLUMNS, lambda report: map(course_cells, report.courses)),
    "subunits": (
        "下级组织",
        SUBUNIT_COLUMNS,
        lambda report: map(subunit_cells, [report.unit, *report.subunits]),
    ),
}


def report_xlsx(report: UnitReport) -> bytes:
    workbook, summary = new_workbook("概况")
    summary.append(["组织", report.unit.path])
    summary.append(["年度", report.year])
    summary.append(["统计日期", report.on.isoformat()])
    for label, value in zip(SUBUNIT_COLUMNS[1:], subunit_cells(report.unit)[1:], strict=True):
        summary.append([label, value])
    summary.append([])
    summary.append(["月份", "当月获得学时"])
    for month, hours in enumerate(report.hours_by_month, start=1):
        summary.append([f"{month}月", float(hours)])
    summary.column_dimensions["A"].width = 16
    summary.column_dimensions["B"].width = 40
    for title, columns, rows in VIEWS.values():
        sheet = workbook.create_sheet(title)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for cells in rows(report):
            sheet.append(cells)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, len(column) * 2 + 4)
    return workbook_bytes(workbook)


def report_csv(report: UnitReport, view: str = "members") -> str:
    """One view as CSV (UTF-8 with a BOM added by the caller when Excel will open it)."""
    _title, columns, rows = VIEWS[view]
    buffer = io.StringIO()
    writer = InertCsvWriter(buffer)
    writer.writerow(columns)
    writer.writerows(rows(report))
    return buffer.getvalue()


# --- platform activity per quarter (信息平台考核评价) ----------------------------------------------

ACTIVITY_COLUMNS = [
    "组织",
    "党员人数",
    "线下学习活动",
    "发布通知",
    "布置课程",
    "园地发帖",
    "活跃党员",
    "活跃率",
]


def activity_cells(figures: ActivityFigures) -> list[object]:
    return [
        figures.path,
        figures.members,
        figures.sessions,
        figures.notices,
        figures.courses_assigned,
        figures.board_posts,
        figures.active_members,
        f"{figures.activity_rate:.1%}",
    ]


def activity_xlsx(report: ActivityReport) -> bytes:
    """The quarter's activity: every unit of the subtree, each with the units below it rolled in."""
    workbook, sheet = new_workbook(f"{report.year}年第{report.quarter}季度")
    sheet.append(["统计期间", f"{report.start.isoformat()} 至 {report.end.isoformat()}"])
    sheet.append([])
    sheet.append(ACTIVITY_COLUMNS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for figures in report.rows:
        sheet.append(activity_cells(figures))
    sheet.freeze_panes = "A4"
    sheet.column_dimensions["A"].width = 40
    for index in range(2, len(ACTIVITY_COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    return workbook_bytes(workbook)


def activity_csv(report: ActivityReport) -> str:
    buffer = io.StringIO()
    writer = InertCsvWriter(buffer)
    writer.writerow(ACTIVITY_COLUMNS)
    writer.writerows(activity_cells(figures) for figures in report.rows)
    return buffer.getvalue()
