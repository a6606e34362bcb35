"""The dashboards: a unit's figures, drill-down to a member and a course, and the downloads."""

import io
from datetime import date

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.auth.models import User
from app.auth.permissions import permission_required
from app.courses.models import Course
from app.extensions import db
from app.inputs import int_arg, year_arg
from app.org.models import OrgUnit
from app.org.services import name_path
from app.progress import ledger
from app.reports import activity, exports, services
from app.reports.permissions import (
    can_see_reports,
    can_view_member_report,
    can_view_unit_report,
    reportable_units,
)

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_year() -> int:
    """?year= within 2000–2100, this year by default; anything else is a bad request."""
    return year_arg(ledger.local_year())


def unit_or_404(unit_id: int) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not can_view_unit_report(current_user, unit):
        abort(404)
    return unit


def _member_or_404(member_id: int) -> User:
    member = db.session.get(User, member_id)
    if member is None or not can_view_member_report(current_user, member):
        abort(404)
    return member


def _download_name(unit: OrgUnit, year: int, extension: str) -> str:
    return f"{unit.name}-{year}年学习统计-{date.today().isoformat()}.{extension}"


@bp.get("/")
@permission_required(can_see_reports)
def index():
    units = reportable_units(current_user)
    if len(units) == 1:
        return redirect(url_for("reports.unit", unit_id=units[0].id))
    return render_template("reports/index.html", units=units)


@bp.get("/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    unit = unit_or_404(unit_id)
    year = report_year()
    report = services.open_unit_report(current_user, unit.id, year)
    parent = unit.parent if unit.parent and can_view_unit_report(current_user, unit.parent) else None
    return render_template(
        "reports/unit.html",
        report=report,
        parent=parent,
        year=year,
        years=range(ledger.local_year(), ledger.local_year() - 5, -1),
        peak_month=max(report.hours_by_month) or 1,
    )


@bp.get("/units/<int:unit_id>/report.xlsx")
@login_required
def unit_xlsx(unit_id: int):
    unit = unit_or_404(unit_id)
    year = report_year()
    report = services.open_unit_report(current_user, unit.id, year, "report.export", format="xlsx")
    return _attachment(exports.report_xlsx(report), XLSX_TYPE, _download_name(unit, year, "xlsx"))


@bp.get("/units/<int:unit_id>/report.csv")
@login_required
def unit_csv(unit_id: int):
    unit = unit_or_404(unit_id)
    year = report_year()
    view = request.args.get("view", "members")
    if view not in exports.VIEWS:
        abort(400)
    report = services.open_unit_report(current_user, unit.id, year, "report.export", format="csv", view=view)
    # A byte-order mark, so that Excel opens the Chinese text as UTF-8.
    body = "\ufeff" + exports.report_csv(report, view)
    return _attachment(body.encode(), "text/csv; charset=utf-8", _download_name(unit, year, f"{view}.csv"))


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    # send_file writes the Chinese file name as RFC 6266 filename*, with an ASCII fallback.
    response = send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"  # member data: never kept by a shared cache
    return response


def _quarter() -> tuple[int, int]:
    """?year= and ?quarter= (1-4); the current quarter by default."""
    year, quarter = activity.current_quarter()
    return year_arg(year), int_arg("quarter", 1, 4, default=quarter)


@bp.get("/units/<int:unit_id>/activity")
@login_required
def unit_activity(unit_id: int):
    """Platform activity (信息平台考核评价) of the unit and every unit below it, for one quarter."""
    unit = unit_or_404(unit_id)
    year, quarter = _quarter()
    report = activity.build_activity_report(unit, year, quarter)
    parent = unit.parent if unit.parent and can_view_unit_report(current_user, unit.parent) else None
    return render_template(
        "reports/activity.html",
        report=report,
        parent=parent,
        years=range(ledger.local_year(), ledger.local_year() - 5, -1),
    )


@bp.get("/units/<int:unit_id>/activity.<any(xlsx, csv):extension>")
@login_required
def unit_activity_download(unit_id: int, extension: str):
    unit = unit_or_404(unit_id)
    year, quarter = _quarter()
    report = activity.build_activity_report(unit, year, quarter)
    name = f"{unit.name}-{year}年第{quarter}季度平台活跃情况.{extension}"
    if extension == "xlsx":
        return _attachment(exports.activity_xlsx(report), XLSX_TYPE, name)
    return _attachment(("\ufeff" + exports.activity_csv(report)).encode(), "text/csv; charset=utf-8", name)


@bp.get("/members/<int:member_id>")
@login_required
def member(member_id: int):
    member = _member_or_404(member_id)
    year = report_year()
    courses = services.open_member_report(current_user, member, year)
    return render_template(
        "reports/member.html",
        member=member,
        unit_path=name_path(member.unit) if member.unit else "",
        unit_link=member.unit if member.unit and can_view_unit_report(current_user, member.unit) else None,
        courses=courses,
        year=year,
        hours=ledger.total_for(member.id, year),
        target=ledger.target_for(member, year),
        today=services.today(),
    )


@bp.get("/members/<int:member_id>/courses/<int:course_id>")
@login_required
def member_course(member_id: int, course_id: int):
    member = _member_or_404(member_id)
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    return render_template(
        "reports/member_course.html",
        member=member,
        course=course,
        lessons=services.member_lessons(member, course),
        year=report_year(),
    )
