"""Accounts, roles, sign-in and the permission helpers every domain uses."""

from flask import Flask, flash, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from app.extensions import login_manager


def init_app(app: Flask) -> None:
    """Register the auth domain: sign-in, the read-only policy, blueprints (its `flask users` group is
    the org domain's: accounts are created placed in a unit)."""
    from app.auth import api, views
    from app.auth.permissions import refuse_read_only_changes

    _init_login(app)
    app.before_request(refuse_read_only_changes)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)


def _init_login(app: Flask) -> None:
    from app.auth.services import load_user_for_session
    from app.auth.tokens import load_user_from_request

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Flask-Login's "strong" protection would also end sessions on an IP change (phones roam).
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_for_session)
    login_manager.request_loader(load_user_from_request)

    @login_manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        # JSON clients get a 401 they can act on; people are sent to the sign-in page.
        if request.path.startswith("/api/"):
            return jsonify(error=_l("Please sign in to see this page.")), 401
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))
