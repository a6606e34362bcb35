"""`GET /api/v1/org-units/<id>/report?year=YYYY`: a unit's report as JSON (documented in docs/api.md)."""

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from app.extensions import db
from app.org.models import OrgUnit
from app.progress import ledger
from app.reports import services
from app.reports.permissions import can_view_unit_report

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/org-units")


@bp.get("/<int:unit_id>/report")
@login_required
def unit_report(unit_id: int):
    year = request.args.get("year", type=int) or ledger.local_year()
    if not 2000 <= year <= 2100:
        return jsonify(error="year must be between 2000 and 2100"), 400
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not can_view_unit_report(current_user, unit):
        return jsonify(error="no such unit"), 404
    return jsonify(
        services.open_unit_report(current_user, unit.id, year, "report.export", format="json").as_json()
    )
