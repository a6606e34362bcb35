"""The assessment board (方针管理板) of a unit and quarter: targets, recorded values, PDCA notes, export."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.assessment import exports, permissions, services
from app.assessment.forms import (
    MEASURE_LABELS,
    QUARTER_CHOICES,
    ROLE_LABELS,
    STATUS_LABELS,
    PdcaForm,
    TargetForm,
    ValueForm,
)
from app.assessment.models import AssessmentTarget, Measure
from app.auth.forms import ConfirmForm
from app.auth.models import Role
from app.errors import DomainError
from app.extensions import db
from app.inputs import int_arg
from app.org.models import OrgUnit

bp = Blueprint("assessment", __name__, url_prefix="/assessment", template_folder="templates")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def require_sign_in():
    """Every assessment page needs a signed-in user."""


def _unit_or_404(unit_id: int, change: bool = False) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    allowed = permissions.can_change_assessment if change else permissions.can_view_board
    if unit is None or not allowed(current_user, unit):
        abort(404)
    return unit


def _period() -> tuple[int, int]:
    year, quarter = services.current_quarter()
    return int_arg("year", 2000, 2100, year), int_arg("quarter", 1, 4, quarter)


def _back(unit: OrgUnit, year: int, quarter: int):
    return redirect(url_for("assessment.board", unit_id=unit.id, year=year, quarter=quarter))


@bp.get("/")
def index():
    units = permissions.board_units(current_user)
    if not units:
        abort(403)
    if len(units) == 1:
        return redirect(url_for("assessment.board", unit_id=units[0].id))
    return render_template("assessment/index.html", units=units)


@bp.get("/units/<int:unit_id>")
def board(unit_id: int):
    unit = _unit_or_404(unit_id)
    year, quarter = _period()
    board = services.build_board(unit, year, quarter)
    can_change = permissions.can_change_assessment(current_user, unit)
    notes = board.notes
    return render_template(
        "assessment/board.html",
        board=board,
        can_change=can_change,
        parent=unit.parent if unit.parent and permissions.can_view_board(current_user, unit.parent) else None,
        target_form=TargetForm(quarters=[str(quarter)]),
        value_form=ValueForm(),
        pdca_form=PdcaForm(obj=notes) if notes else PdcaForm(),
        confirm_form=ConfirmForm(),
        own_targets=services.own_targets(unit, year, quarter),
        measure_labels=MEASURE_LABELS,
        role_labels=ROLE_LABELS,
        status_labels=STATUS_LABELS,
        quarters=QUARTER_CHOICES,
        Measure=Measure,
    )


@bp.post("/units/<int:unit_id>/targets")
def set_target(unit_id: int):
    unit = _unit_or_404(unit_id, change=True)
    year, quarter = _period()
    form = TargetForm()
    if not form.validate_on_submit():
        flash(_("Choose who, the measure, at least one quarter and both levels."), "error")
        return _back(unit, year, quarter)
    try:
        services.set_target(
            unit,
            Role(form.role.data),
            year,
            [int(value) for value in form.quarters.data or []],
            Measure(form.measure.data),
            form.name.data,
            form.required_level.data,
            form.stretch_level.data,
            current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("The assessment target has been set for this unit and the units below it."), "success")
    return _back(unit, year, quarter)


@bp.post("/units/<int:unit_id>/targets/<int:target_id>/remove")
def remove_target(unit_id: int, target_id: int):
    unit = _unit_or_404(unit_id, change=True)
    target = db.session.get(AssessmentTarget, target_id)
    if target is None or target.unit_id != unit.id or not ConfirmForm().validate_on_submit():
        abort(404)
    year, quarter = target.year, target.quarter
    services.remove_target(target, current_user)
    flash(_("The target has been removed."), "success")
    return _back(unit, year, quarter)


@bp.post("/units/<int:unit_id>/values")
def record_value(unit_id: int):
    unit = _unit_or_404(unit_id, change=True)
    year, quarter = _period()
    form = ValueForm()
    if not form.validate_on_submit():
        flash(_("Give the measure's name and a value of 0 or more."), "error")
        return _back(unit, year, quarter)
    try:
        services.record_value(unit, year, quarter, form.name.data or "", form.value.data, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("The value has been recorded."), "success")
    return _back(unit, year, quarter)


@bp.post("/units/<int:unit_id>/pdca")
def save_notes(unit_id: int):
    unit = _unit_or_404(unit_id, change=True)
    year, quarter = _period()
    form = PdcaForm()
    if not form.validate_on_submit():
        flash(_("Each note has at most %(most)d characters.", most=services.MAX_NOTE_CHARS), "error")
        return _back(unit, year, quarter)
    try:
        services.save_notes(
            unit,
            year,
            quarter,
            {name: getattr(form, name).data for name in services.PDCA_FIELDS},
            current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("The notes have been saved."), "success")
    return _back(unit, year, quarter)


@bp.get("/units/<int:unit_id>/board.<fmt>")
def export(unit_id: int, fmt: str):
    """The board as XLSX (with the PDCA notes) or CSV."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    unit = _unit_or_404(unit_id)
    year, quarter = _period()
    board = services.build_board(unit, year, quarter)
    name = f"{unit.name}-{year}Q{quarter}-目标责任考核.{fmt}"
    if fmt == "xlsx":
        body, mimetype = exports.board_xlsx(board), XLSX_TYPE
    else:
        body, mimetype = ("\ufeff" + exports.board_csv(board)).encode("utf-8"), "text/csv; charset=utf-8"
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=name)
