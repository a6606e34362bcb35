"""The self-study rule page of a unit, and the heartbeat endpoint of the resource player."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import DomainError
from app.extensions import db
from app.inputs import BadInput
from app.org.models import OrgUnit
from app.org.services import name_path
from app.progress.watching.limits import ANY_ID, heartbeat_limit
from app.progress.watching.refusals import HeartbeatRefused, record_refusal
from app.selfstudy import permissions, services
from app.selfstudy.forms import SelfStudyRuleForm

bp = Blueprint("selfstudy", __name__, url_prefix="/progress", template_folder="templates")
api_bp = Blueprint("selfstudy_api", __name__, url_prefix="/api/v1/resources")


@bp.route("/units/<int:unit_id>/self-study", methods=["GET", "POST"])
@login_required
def unit_rule(unit_id: int):
    """Whether watching the library's videos earns hours in this unit and below (its secretaries)."""
    unit = db.session.scalar(permissions.rule_units(current_user).where(OrgUnit.id == unit_id))
    if unit is None:
        abort(404)
    source = services.nearest_rule(unit)
    effective = services.effective_rule(source)
    form = SelfStudyRuleForm(
        earns_hours=effective.earns_hours,
        minutes_per_hour=effective.minutes_per_hour,
        yearly_cap=effective.yearly_cap,
    )
    if form.validate_on_submit():
        try:
            rule = services.set_rule(
                unit, form.earns_hours.data, form.minutes_per_hour.data, form.yearly_cap.data, current_user
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Version %(version)d of the rule applies from now on.", version=rule.version), "success")
            return redirect(url_for("selfstudy.unit_rule", unit_id=unit.id))
    return render_template(
        "selfstudy/rule.html",
        unit=unit,
        unit_path=name_path(unit),
        effective=effective,
        source=source,
        source_path=name_path(source.unit) if source else None,
        history=services.rule_history(unit),
        form=form,
    )


@api_bp.post(f"/<{ANY_ID}:resource_id>/heartbeat")
@heartbeat_limit
@login_required
def heartbeat(resource_id: int):
    """Credit the media interval of a video resource just played: {"start", "end", "session", "sequence"}."""
    try:
        payload = request.get_json(silent=True)
    except BadInput as unreadable:
        record_refusal(current_user, 0, f"resource_{unreadable.reason}"[:40], unreadable.raw)
        return jsonify(error=unreadable.reason, detail=unreadable.detail), 422
    try:
        figures = services.heartbeat(current_user, resource_id, payload)
    except HeartbeatRefused as refusal:
        return jsonify(error=refusal.reason), refusal.status
    return jsonify(figures.as_json())
