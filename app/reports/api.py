"""`GET /api/v1/org-units/<id>/report?year=YYYY`: a unit's report as JSON (documented in docs/api.md)."""

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from app.extensions import db
from app.inputs import year_arg
from app.org.models import OrgUnit
from app.progress import ledger
from app.reports import services
from app.reports.permissions import can_view_unit_report

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/org-units")


@bp.get("/<int:unit_id>/report")
@login_required
def unit_report(unit_id: int):
    year = year_arg(ledger.local_year())
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not can_view_unit_report(current_user, unit):
        return jsonify(error="no such unit"), 404
    return jsonify(
        services.open_unit_report(current_user, unit.id, year, "report.export", format="json").as_json()
    )
