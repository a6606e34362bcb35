"""Notice pages: the member's notices, publishing and editing, receipts per unit, reminders."""

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2

from app.auth.forms import ConfirmForm
from app.auth.permissions import permission_required
from app.errors import DomainError
from app.extensions import db
from app.markup import render_markdown
from app.notices import permissions, services
from app.notices.forms import EditNoticeForm, NoticeForm
from app.notices.models import Notice, NoticeAttachment
from app.org.models import OrgUnit
from app.org.services import name_paths
from app.web import filled

bp = Blueprint("notices", __name__, url_prefix="/notices", template_folder="templates")


@bp.app_context_processor
def notice_navigation() -> dict[str, object]:
    def unread_notices() -> int:
        return services.unread_count(current_user) if current_user.is_authenticated else 0

    return {"unread_notice_count": unread_notices}


def _readable_or_404(notice_id: int) -> Notice:
    # Notices of other branches answer 404, as if they did not exist.
    notice = db.session.scalar(permissions.readable_notices(current_user).where(Notice.id == notice_id))
    if notice is None:
        abort(404)
    return notice


def _managed_or_404(notice_id: int) -> Notice:
    notice = db.session.scalar(permissions.managed_notices(current_user).where(Notice.id == notice_id))
    if notice is None:
        abort(404)
    return notice


def _publishable_unit_or_403(unit_id: int) -> OrgUnit:
    """The unit a notice is sent to, when the user may publish there (a forged choice answers 403)."""
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not permissions.can_publish_to(current_user, unit):
        abort(403)
    return unit


def _uploads(form: EditNoticeForm) -> list[services.Upload]:
    return [
        services.Upload(storage.filename or "", storage.read())
        for storage in (form.files.data or [])
        if storage and storage.filename
    ]


def _fields(form: EditNoticeForm) -> services.NoticeFields:
    return services.NoticeFields(
        filled(form.title.data), form.body.data or "", form.deadline.data, form.requires_ack.data
    )


@bp.get("/")
@login_required
def inbox():
    return render_template(
        "notices/inbox.html",
        rows=services.inbox(current_user),
        can_publish=permissions.can_publish(current_user),
    )


@bp.get("/sent")
@permission_required(permissions.can_publish)
def sent():
    notices = list(
        db.session.scalars(
            permissions.managed_notices(current_user).order_by(Notice.published_at.desc()).limit(200)
        )
    )
    return render_template("notices/sent.html", notices=notices, totals=services.totals_for(notices))


@bp.route("/new", methods=["GET", "POST"])
@permission_required(permissions.can_publish)
def new():
    form = NoticeForm()
    units = list(db.session.scalars(permissions.publishable_units(current_user)))
    paths = name_paths(units)
    form.unit_id.choices = [
        SelectChoice(unit.id, paths[unit.id]) for unit in sorted(units, key=lambda unit: paths[unit.id])
    ]
    if form.validate_on_submit():
        unit = _publishable_unit_or_403(form.unit_id.data)
        try:
            notice = services.publish_notice(current_user, unit, _fields(form), _uploads(form))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The notice is published."), "success")
            return redirect(url_for("notices.receipts", notice_id=notice.id))
    return render_template("notices/form.html", form=form, notice=None)


@bp.get("/<int:notice_id>")
@login_required
def show(notice_id: int):
    """Show a notice; opening it records that the member has read it."""
    notice = _readable_or_404(notice_id)
    receipt = services.open_notice(current_user, notice)
    return render_template(
        "notices/show.html",
        notice=notice,
        body=render_markdown(notice.body),
        receipt=receipt,
        can_manage=permissions.can_manage_notice(current_user, notice),
        form=ConfirmForm(),
        render_markdown=render_markdown,
    )


@bp.post("/<int:notice_id>/acknowledge")
@login_required
def acknowledge(notice_id: int):
    notice = _readable_or_404(notice_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.acknowledge_notice(current_user, notice)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Thank you: your acknowledgement is recorded."), "success")
    return redirect(url_for("notices.show", notice_id=notice.id))


@bp.route("/<int:notice_id>/edit", methods=["GET", "POST"])
@login_required
def edit(notice_id: int):
    notice = _managed_or_404(notice_id)
    form = EditNoticeForm(obj=notice)
    if form.validate_on_submit():
        try:
            changed = services.edit_notice(current_user, notice, _fields(form), _uploads(form))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                _("The notice is updated and shows that it was edited.")
                if changed
                else _("Nothing changed."),
                "success",
            )
            return redirect(url_for("notices.show", notice_id=notice.id))
    return render_template("notices/form.html", form=form, notice=notice)


@bp.get("/<int:notice_id>/receipts")
@login_required
def receipts(notice_id: int):
    """Who has read and acknowledged the notice, per unit, and who has not."""
    notice = _managed_or_404(notice_id)
    rows = services.receipts_by_unit(notice)
    return render_template(
        "notices/receipts.html",
        notice=notice,
        rows=rows,
        total_members=sum(row.members for row in rows),
        total_read=sum(row.read for row in rows),
        total_acknowledged=sum(row.acknowledged for row in rows),
        pending=services.pending_members(notice),
        reminders=services.reminder_count(notice),
        form=ConfirmForm(),
    )


@bp.post("/<int:notice_id>/remind")
@login_required
def remind(notice_id: int):
    notice = _managed_or_404(notice_id)
    if ConfirmForm().validate_on_submit():
        try:
            count = services.remind_pending(current_user, notice)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("A reminder was left for %(count)d members.", count=count), "success")
    return redirect(url_for("notices.receipts", notice_id=notice.id))


@bp.get("/<int:notice_id>/files/<int:attachment_id>")
@login_required
def attachment(notice_id: int, attachment_id: int):
    notice = _readable_or_404(notice_id)
    found = db.session.get(NoticeAttachment, attachment_id)
    if found is None or found.notice_id != notice.id:
        abort(404)
    path = services.attachment_path(found)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=found.mimetype, download_name=found.filename, conditional=True)
