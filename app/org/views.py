"""The organisation pages: tree, unit, member profile, roster import and export."""

import io
import secrets
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.forms import ROLE_LABELS, ConfirmForm
from app.auth.models import Role, User
from app.auth.permissions import admin_required, permission_required
from app.errors import DomainError
from app.extensions import db
from app.org import permissions, roster, services
from app.org.accounts import create_account
from app.org.forms import (
    CHANGE_SOURCE_LABELS,
    MoveMemberForm,
    MoveUnitForm,
    NewMemberForm,
    RosterUploadForm,
    UnitNameForm,
)
from app.org.models import OrgUnit
from app.web import filled, run_and_flash

bp = Blueprint("org", __name__, url_prefix="/org", template_folder="templates")


def _managed_unit_or_404(unit_id: int) -> OrgUnit:
    # Out-of-scope units answer 404, as if they did not exist: their names are not leaked.
    unit = db.session.scalar(permissions.scoped_units(current_user).where(OrgUnit.id == unit_id))
    if unit is None:
        abort(404)
    return unit


def _visible_member_or_404(member_id: int) -> User:
    member = db.session.get(User, member_id)
    if member is None or not permissions.can_view_member(current_user, member):
        abort(404)
    return member


def _movable_member_or_404(member_id: int) -> User:
    """A member the user sees (else 404) and may transfer: one in a unit they manage (else 403)."""
    member = _visible_member_or_404(member_id)
    if member.unit is None or not permissions.can_manage_unit(current_user, member.unit):
        abort(403)
    return member


def _unit_choices(exclude_subtree_of: OrgUnit | None = None) -> list[tuple[int, str]]:
    units = list(db.session.scalars(permissions.scoped_units(current_user)))
    if exclude_subtree_of is not None:
        units = [unit for unit in units if not exclude_subtree_of.covers(unit)]
    paths = services.name_paths(units)
    return sorted(((unit.id, paths[unit.id]) for unit in units), key=lambda choice: choice[1])


@bp.get("/")
@permission_required(permissions.can_manage_org)
def tree():
    units = list(db.session.scalars(permissions.scoped_units(current_user)))
    return render_template(
        "org/tree.html",
        rows=services.tree_rows(units),
        form=UnitNameForm(),
        is_admin=current_user.has_role(Role.ADMIN),
    )


@bp.post("/units")
@admin_required
def create_root_unit():
    form = UnitNameForm()
    if form.validate_on_submit():
        try:
            unit = services.create_unit(filled(form.name.data), None)
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("org.unit", unit_id=unit.id))
    return redirect(url_for("org.tree"))


@bp.get("/units/<int:unit_id>")
@permission_required(permissions.can_manage_org)
def unit(unit_id: int):
    unit = _managed_unit_or_404(unit_id)
    move_form = MoveUnitForm(formdata=None, parent_id=unit.parent_id)
    move_form.parent_id.choices = _unit_choices(exclude_subtree_of=unit)
    return render_template(
        "org/unit.html",
        unit=unit,
        unit_path=services.name_path(unit),
        breadcrumbs=_breadcrumbs(unit),
        member_count=services.subtree_member_count(unit),
        name_form=UnitNameForm(formdata=None, name=unit.name),
        child_form=UnitNameForm(formdata=None),
        move_form=move_form,
        confirm_form=ConfirmForm(),
    )


def _breadcrumbs(unit: OrgUnit) -> list[OrgUnit]:
    visible = permissions.scoped_units(current_user).where(OrgUnit.id.in_(unit.ancestor_ids))
    return sorted(db.session.scalars(visible), key=lambda ancestor: len(ancestor.path))


@bp.post("/units/<int:unit_id>/rename")
@login_required
def rename_unit(unit_id: int):
    unit = _managed_unit_or_404(unit_id)
    form = UnitNameForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: services.rename_unit(unit, filled(form.name.data)), _("The unit has been renamed.")
        )
    return redirect(url_for("org.unit", unit_id=unit.id))


@bp.post("/units/<int:unit_id>/children")
@login_required
def create_child_unit(unit_id: int):
    parent = _managed_unit_or_404(unit_id)
    form = UnitNameForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: services.create_unit(filled(form.name.data), parent), _("The sub-unit has been created.")
        )
    return redirect(url_for("org.unit", unit_id=parent.id))


@bp.post("/units/<int:unit_id>/move")
@login_required
def move_unit(unit_id: int):
    unit = _managed_unit_or_404(unit_id)
    form = MoveUnitForm()
    form.parent_id.choices = _unit_choices(exclude_subtree_of=unit)
    if form.validate_on_submit():
        new_parent = _managed_unit_or_404(form.parent_id.data)
        run_and_flash(lambda: services.move_unit(unit, new_parent), _("The unit has been moved."))
    else:
        flash(_("Choose a unit to move it under."), "error")
    return redirect(url_for("org.unit", unit_id=unit.id))


@bp.post("/units/<int:unit_id>/delete")
@login_required
def delete_unit(unit_id: int):
    unit = _managed_unit_or_404(unit_id)
    parent_id = unit.parent_id
    if ConfirmForm().validate_on_submit() and run_and_flash(
        lambda: services.delete_unit(unit), _("The unit has been deleted.")
    ):
        return redirect(url_for("org.unit", unit_id=parent_id) if parent_id else url_for("org.tree"))
    return redirect(url_for("org.unit", unit_id=unit_id))


@bp.route("/units/<int:unit_id>/members/new", methods=["GET", "POST"])
@login_required
def new_member(unit_id: int):
    unit = _managed_unit_or_404(unit_id)
    form = NewMemberForm()
    form.roles.choices = [
        (role.value, label)
        for role, label in ROLE_LABELS.items()
        if permissions.can_grant_role(current_user, role)
    ]
    if form.validate_on_submit():
        try:
            member = create_account(
                filled(form.username.data),
                filled(form.display_name.data),
                unit,
                [Role(value) for value in filled(form.roles.data)],
                password=form.password.data,
                created_by=current_user,
                phone=form.phone.data,
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The account %(username)s has been created.", username=member.username), "success")
            return redirect(url_for("org.unit", unit_id=unit.id))
    return render_template("org/new_member.html", form=form, unit=unit, unit_path=services.name_path(unit))


@bp.get("/members/<int:member_id>")
@login_required
def member(member_id: int):
    member = _visible_member_or_404(member_id)
    manage = member.unit is not None and permissions.can_manage_unit(current_user, member.unit)
    move_form = MoveMemberForm(formdata=None, unit_id=member.unit_id)
    if manage:
        move_form.unit_id.choices = _unit_choices()
    return render_template(
        "org/member.html",
        member=member,
        unit_path=services.name_path(member.unit) if member.unit else "",
        history=services.membership_history(member),
        manage=manage,
        move_form=move_form,
        change_sources=CHANGE_SOURCE_LABELS,
    )


@bp.post("/members/<int:member_id>/move")
@login_required
def move_member(member_id: int):
    member = _movable_member_or_404(member_id)
    form = MoveMemberForm()
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        target = _managed_unit_or_404(form.unit_id.data)
        run_and_flash(
            lambda: services.move_member(member, target, current_user, form.reason.data or ""),
            _("The transfer has been recorded."),
        )
    return redirect(url_for("org.member", member_id=member.id))


def _roster_upload_path(token: str, suffix: str) -> Path:
    return Path(current_app.instance_path) / "roster_uploads" / f"{token}{suffix}"


@bp.route("/roster/import", methods=["GET", "POST"])
@permission_required(permissions.can_manage_org)
def roster_import():
    """Check an uploaded roster (a dry run), then write it when the user confirms."""
    form = RosterUploadForm()
    report = None
    if form.validate_on_submit():
        upload = form.roster.data
        data = upload.read(current_app.config["ROSTER_MAX_BYTES"] + 1)
        suffix = Path(upload.filename or "").suffix.lower()
        if len(data) > current_app.config["ROSTER_MAX_BYTES"]:
            flash(_("The roster file is too large."), "error")
        else:
            try:
                report = roster.import_roster(data, upload.filename or "", current_user, dry_run=True)
            except DomainError as error:
                flash(error.message, "error")
            else:
                if report.ok:
                    token = secrets.token_urlsafe(16)
                    path = _roster_upload_path(token, suffix)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
                    session["roster_upload"] = f"{token}{suffix}"
    return render_template("org/roster_import.html", form=form, report=report, confirm_form=ConfirmForm())


@bp.post("/roster/import/confirm")
@permission_required(permissions.can_manage_org)
def roster_import_confirm():
    stored = session.pop("roster_upload", None)
    if not ConfirmForm().validate_on_submit() or not stored:
        flash(_("Upload the roster again: the checked file is no longer available."), "error")
        return redirect(url_for("org.roster_import"))
    token, suffix = stored[: -len(Path(stored).suffix)], Path(stored).suffix
    path = _roster_upload_path(token, suffix)
    if not path.exists():
        flash(_("Upload the roster again: the checked file is no longer available."), "error")
        return redirect(url_for("org.roster_import"))
    try:
        report = roster.import_roster(path.read_bytes(), stored, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("org.roster_import"))
    finally:
        path.unlink(missing_ok=True)
    if report.written:
        flash(
            _(
                "Roster imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
                created=len(report.created),
                updated=len(report.updated),
                unchanged=report.unchanged,
            ),
            "success",
        )
        return redirect(url_for("org.tree"))
    return render_template(
        "org/roster_import.html", form=RosterUploadForm(), report=report, confirm_form=ConfirmForm()
    )


@bp.get("/roster/export.<any(xlsx, csv):extension>")
@permission_required(permissions.can_manage_org)
def roster_export(extension: str):
    filename = f"roster.{extension}"
    data = roster.export_roster(roster.members_for_export(current_user), filename)
    mimetypes = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    return send_file(
        io.BytesIO(data),
        mimetype=mimetypes[extension],
        as_attachment=True,
        download_name=f"花名册.{extension}",
    )
