"""Sign-in, sign-out, own password and language; the admin's account list."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services, tokens
from app.auth.forms import ChangePasswordForm, ConfirmForm, LanguageForm, LoginForm, ResetPasswordForm
from app.auth.models import User
from app.auth.permissions import admin_required
from app.errors import DomainError
from app.extensions import db, limiter
from app.web import filled, safe_next_url

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_rate_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                filled(form.username.data), filled(form.password.data), address=request.remote_addr
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            # A fresh session at sign-in: nothing planted before it survives (session fixation).
            session.clear()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    if ConfirmForm().validate_on_submit():
        services.end_all_sessions(current_user)
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, filled(form.current_password.data), filled(form.new_password.data)
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            # This device stays signed in under the new session version; every other one is signed out.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


@bp.get("/account/devices")
@login_required
def devices():
    return render_template("auth/devices.html", devices=tokens.devices_of(current_user), form=ConfirmForm())


@bp.post("/account/devices/<int:token_id>/revoke")
@login_required
def revoke_device(token_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not tokens.revoke_token(current_user, token_id):
        abort(404)  # another account's token answers as if it did not exist
    flash(_("The device has been signed out."), "success")
    return redirect(url_for("auth.devices"))


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit() or form.locale.data not in current_app.config["LANGUAGES"]:
        abort(400)
    locale = filled(form.locale.data)
    if current_user.is_authenticated:
        services.set_locale(current_user, locale)
    response = redirect(safe_next_url(form.next.data))
    response.set_cookie(
        "lang",
        locale,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.get("/admin/users")
@admin_required
def user_list():
    return render_template("auth/user_list.html", users=services.list_users(), form=ConfirmForm())


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/admin/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_required
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, filled(form.new_password.data))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The password of %(name)s has been reset.", name=user.display_name), "success")
            return redirect(url_for("auth.user_list"))
    return render_template("auth/reset_password.html", form=form, user=user)


@bp.post("/admin/users/<int:user_id>/active")
@admin_required
def toggle_active(user_id: int):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        services.set_active(user, not user.active)
        if user.active:
            flash(_("%(name)s can sign in again.", name=user.display_name), "success")
        else:
            flash(
                _("%(name)s has been deactivated and signed out everywhere.", name=user.display_name),
                "success",
            )
    return redirect(url_for("auth.user_list"))
