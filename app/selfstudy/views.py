"""The self-study rule page of a unit, and the heartbeat endpoint of the resource player."""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user, login_required

from app.extensions import db
from app.inputs import BadInput
from app.org.models import OrgUnit
from app.org.unit_rule_page import unit_rule_page
from app.progress.watching.limits import ANY_ID, heartbeat_limit
from app.progress.watching.refusals import HeartbeatRefused, record_refusal
from app.selfstudy import permissions, services
from app.selfstudy.forms import SelfStudyRuleForm
from app.selfstudy.models import SelfStudyRule

bp = Blueprint("selfstudy", __name__, url_prefix="/progress", template_folder="templates")
api_bp = Blueprint("selfstudy_api", __name__, url_prefix="/api/v1/resources")


def _rule_unit_or_404(unit_id: int) -> OrgUnit:
    """A unit whose self-study rule the user sets (others answer 404, their names not leaked)."""
    unit = db.session.scalar(permissions.rule_units(current_user).where(OrgUnit.id == unit_id))
    if unit is None:
        abort(404)
    return unit


@bp.route("/units/<int:unit_id>/self-study", methods=["GET", "POST"])
@login_required
def unit_rule(unit_id: int):
    """Whether watching the library's videos earns hours in this unit and below (its secretaries)."""
    unit = _rule_unit_or_404(unit_id)

    def form_for(effective: services.EffectiveSelfStudyRule) -> SelfStudyRuleForm:
        return SelfStudyRuleForm(
            earns_hours=effective.earns_hours,
            minutes_per_hour=effective.minutes_per_hour,
            yearly_cap=effective.yearly_cap,
        )

    def add(form: SelfStudyRuleForm) -> SelfStudyRule:
        return services.set_rule(
            unit, form.earns_hours.data, form.minutes_per_hour.data, form.yearly_cap.data, current_user
        )

    return unit_rule_page(
        unit,
        SelfStudyRule,
        services.effective_rule,
        form_for,
        add,
        "selfstudy/rule.html",
        "selfstudy.unit_rule",
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
