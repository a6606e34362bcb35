"""The assessment board (方针管理板) of a unit and quarter: targets, recorded values, PDCA notes, export."""

import io
from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

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
from app.auth.models import Role, User
from app.auth.permissions import permission_required
from app.extensions import db
from app.inputs import int_arg
from app.org.models import OrgUnit
from app.web import run_and_flash

bp = Blueprint("assessment", __name__, url_prefix="/assessment", template_folder="templates")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit_or_404(
    unit_id: int, allowed: Callable[[User, OrgUnit], bool] = permissions.can_view_board
) -> OrgUnit:
    """The unit, when ``allowed`` (seeing its board by default); else 404, changing included."""
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not allowed(current_user, unit):
        abort(404)
    return unit


def _target_or_404(unit: OrgUnit, target_id: int) -> AssessmentTarget:
    """A target the unit itself sets (one inherited from above is not the unit's to remove)."""
    target = db.session.get(AssessmentTarget, target_id)
    if target is None or target.unit_id != unit.id:
        abort(404)
    return target


def _period() -> tuple[int, int]:
    year, quarter = services.current_quarter()
    return int_arg("year", 2000, 2100, year), int_arg("quarter", 1, 4, quarter)


def _back(unit: OrgUnit, year: int, quarter: int):
    return redirect(url_for("assessment.board", unit_id=unit.id, year=year, quarter=quarter))


def _change_and_back(
    unit: OrgUnit, form: FlaskForm, invalid: str, change: Callable[[int, int], object], success: str
):
    """Run ``change(year, quarter)`` for the quarter shown once ``form`` validates, and show the board again."""
    year, quarter = _period()
    if form.validate_on_submit():
        run_and_flash(lambda: change(year, quarter), success)
    else:
        flash(invalid, "error")
    return _back(unit, year, quarter)


@bp.get("/")
@permission_required(permissions.can_see_boards)
def index():
    units = permissions.board_units(current_user)
    if len(units) == 1:
        return redirect(url_for("assessment.board", unit_id=units[0].id))
    return render_template("assessment/index.html", units=units)


@bp.get("/units/<int:unit_id>")
@login_required
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
@login_required
def set_target(unit_id: int):
    unit = _unit_or_404(unit_id, permissions.can_change_assessment)
    form = TargetForm()
    return _change_and_back(
        unit,
        form,
        _("Choose who, the measure, at least one quarter and both levels."),
        lambda year, quarter: services.set_target(
            unit,
            Role(form.role.data),
            year,
            [int(value) for value in form.quarters.data or []],
            Measure(form.measure.data),
            form.name.data,
            form.required_level.data,
            form.stretch_level.data,
            current_user,
        ),
        _("The assessment target has been set for this unit and the units below it."),
    )


@bp.post("/units/<int:unit_id>/targets/<int:target_id>/remove")
@login_required
def remove_target(unit_id: int, target_id: int):
    unit = _unit_or_404(unit_id, permissions.can_change_assessment)
    target = _target_or_404(unit, target_id)
    if not ConfirmForm().validate_on_submit():
        abort(404)
    year, quarter = target.year, target.quarter
    services.remove_target(target, current_user)
    flash(_("The target has been removed."), "success")
    return _back(unit, year, quarter)


@bp.post("/units/<int:unit_id>/values")
@login_required
def record_value(unit_id: int):
    unit = _unit_or_404(unit_id, permissions.can_change_assessment)
    form = ValueForm()
    return _change_and_back(
        unit,
        form,
        _("Give the measure's name and a value of 0 or more."),
        lambda year, quarter: services.record_value(
            unit, year, quarter, form.name.data or "", form.value.data, current_user
        ),
        _("The value has been recorded."),
    )


@bp.post("/units/<int:unit_id>/pdca")
@login_required
def save_notes(unit_id: int):
    unit = _unit_or_404(unit_id, permissions.can_change_assessment)
    form = PdcaForm()
    return _change_and_back(
        unit,
        form,
        _("Each note has at most %(most)d characters.", most=services.MAX_NOTE_CHARS),
        lambda year, quarter: services.save_notes(
            unit,
            year,
            quarter,
            {name: getattr(form, name).data for name in services.PDCA_FIELDS},
            current_user,
        ),
        _("The notes have been saved."),
    )


@bp.get("/units/<int:unit_id>/board.<fmt>")
@login_required
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
