"""JSON endpoints about the signed-in account, under /api/v1/ (same session, CSRF in X-CSRFToken)."""

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from app.auth import services
from app.errors import DomainError
from app.org.services import name_path

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


@bp.get("/me")
@login_required
def me():
    unit = current_user.unit
    return jsonify(
        username=current_user.username,
        name=current_user.display_name,
        roles=sorted(role.value for role in current_user.roles),
        unit={"id": unit.id, "path": name_path(unit)} if unit else None,
        locale=current_user.locale,
    )


@bp.post("/me/locale")
@login_required
def set_my_locale():
    payload = request.get_json(silent=True) or {}
    try:
        services.set_locale(current_user, str(payload.get("locale", "")))
    except DomainError as error:
        return jsonify(error=error.message), 400
    return jsonify(locale=current_user.locale)
