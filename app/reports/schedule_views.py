"""A unit's report schedule and history, the kept reports' downloads, and members' reminders."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.audit.services import record_audit
from app.extensions import db
from app.org.models import OrgUnit
from app.reports import reminders, schedules
from app.reports.forms import ScheduleForm
from app.reports.models import ReportRun
from app.reports.permissions import can_change_schedule, can_view_unit_report
from app.reports.views import unit_or_404
from app.web import safe_next_url

bp = Blueprint("report_schedules", __name__, url_prefix="/reports", template_folder="templates")


def _schedule_unit_or_404(unit_id: int) -> tuple[OrgUnit, bool]:
    """The unit whose schedule the user sees (else 404) and whether they may change it; a change
    by someone who may only read it answers 403 (an auditor reads the history but changes nothing)."""
    unit = unit_or_404(unit_id)
    may_change = can_change_schedule(current_user, unit)
    if request.method == "POST" and not may_change:
        abort(403)
    return unit, may_change


@bp.route("/units/<int:unit_id>/schedule", methods=["GET", "POST"])
@login_required
def schedule(unit_id: int):
    unit, may_change = _schedule_unit_or_404(unit_id)
    current = schedules.schedule_of(unit)
    form = ScheduleForm(obj=current)
    if form.validate_on_submit():
        schedules.set_schedule(current_user, unit, form.weekly.data, form.monthly.data)
        flash(_("The report schedule is saved."), "success")
        return redirect(url_for("report_schedules.schedule", unit_id=unit.id))
    return render_template(
        "reports/schedule.html",
        unit=unit,
        form=form,
        runs=schedules.history(unit),
        recipients=schedules.secretaries_of(unit),
        may_change=may_change,
    )


@bp.get("/runs/<int:run_id>.xlsx")
@login_required
def run_workbook(run_id: int):
    run = db.session.get(ReportRun, run_id)
    if run is None or not can_view_unit_report(current_user, run.unit):
        abort(404)
    record_audit(current_user, "report.export", "org_unit", run.unit_id, {"run": run.id})
    db.session.commit()
    response = send_file(
        io.BytesIO(run.workbook),
        mimetype=schedules.XLSX_TYPE,
        as_attachment=True,
        download_name=f"{run.unit.name}-{run.period_key}学习统计.xlsx",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/reminders/<int:reminder_id>/dismiss")
@login_required
def dismiss_reminder(reminder_id: int):
    if not reminders.dismiss(current_user, reminder_id):
        abort(404)
    return redirect(safe_next_url(request.form.get("next"), "progress.my_learning"))
