"""JSON endpoints about the signed-in account, and bearer tokens for API clients, under /api/v1/."""

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import services, tokens
from app.auth.services import SignInError
from app.errors import DomainError
from app.extensions import csrf, limiter
from app.inputs import json_object

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


@bp.get("/me")
@login_required
def me():
    unit = current_user.unit
    return jsonify(
        username=current_user.username,
        name=current_user.display_name,
        roles=sorted(role.value for role in current_user.roles),
        unit={"id": unit.id, "path": unit.name_path} if unit else None,
        locale=current_user.locale,
    )


@bp.post("/me/locale")
@login_required
def set_my_locale():
    payload = json_object()
    try:
        services.set_locale(current_user, str(payload.get("locale", "")))
    except DomainError as error:
        return jsonify(error=error.message), 400
    return jsonify(locale=current_user.locale)


@bp.post("/tokens")
@csrf.exempt  # it sets no cookie and carries its own credentials: there is no ambient session to forge
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])  # a password guess, like the sign-in page
def issue_token():
    """Sign a client in: ``{"username", "password", "device"}`` answers 201 with a bearer token."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(key), str) for key in ("username", "password", "device")
    ):
        return jsonify(error=_("Send username, password and device as text.")), 422
    try:
        issued, token = tokens.issue_token(
            payload["username"], payload["password"], payload["device"], address=request.remote_addr
        )
    except SignInError as error:
        return jsonify(error=error.message), 401
    except DomainError as error:
        return jsonify(error=error.message), 422
    return jsonify(
        token=token, id=issued.id, device=issued.device_name, expires_at=issued.expires_at.isoformat() + "Z"
    ), 201
