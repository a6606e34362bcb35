"""Notice pages: the member's notices, publishing and editing, receipts per unit, reminders."""

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2

from app.auth.forms import ConfirmForm
from app.auth.permissions import permission_required
from app.errors import DomainError
from app.extensions import db
from app.mail import mail_enabled
from app.markup import render_markdown
from app.notices import delivery, permissions, robots, services
from app.notices.forms import EditNoticeForm, NoticeForm, RobotForm
from app.notices.models import (
    DeliveryChannel,
    DeliveryStatus,
    Notice,
    NoticeAttachment,
    NoticeDelivery,
    RobotKind,
)
from app.org.models import OrgUnit
from app.org.services import name_paths
from app.web import filled

bp = Blueprint("notices", __name__, url_prefix="/notices", template_folder="templates")

CHANNEL_NAMES = {
    DeliveryChannel.EMAIL: _l("E-mail"),
    DeliveryChannel.WECOM: _l("WeCom group robot"),
    DeliveryChannel.DINGTALK: _l("DingTalk group robot"),
}
STATUS_NAMES = {
    DeliveryStatus.PENDING: _l("Sending"),
    DeliveryStatus.SENT: _l("Sent"),
    DeliveryStatus.FAILED: _l("Failed"),
}


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
            notice = services.publish_notice(
                current_user,
                unit,
                _fields(form),
                _uploads(form),
                email=form.send_email.data,
                robots=form.send_robots.data,
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The notice is published."), "success")
            return redirect(url_for("notices.receipts", notice_id=notice.id))
    return render_template("notices/form.html", form=form, notice=None, mail_enabled=mail_enabled())


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
        channel_names=CHANNEL_NAMES,
        status_names=STATUS_NAMES,
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
        deliveries=notice.deliveries,
        channel_names=CHANNEL_NAMES,
        status_names=STATUS_NAMES,
    )


@bp.post("/<int:notice_id>/deliveries/<int:delivery_id>/retry")
@login_required
def retry_delivery(notice_id: int, delivery_id: int):
    """Give a failed delivery a fresh round of attempts."""
    notice = _managed_or_404(notice_id)
    found = db.session.get(NoticeDelivery, delivery_id)
    if found is None or found.notice_id != notice.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if found.status is not DeliveryStatus.FAILED:
            flash(_("Only a failed delivery can be sent again."), "error")
        else:
            delivery.retry_now(current_user, found)
            flash(_("The delivery is queued again."), "success")
    return redirect(url_for("notices.receipts", notice_id=notice.id) + "#deliveries")


# --- a unit's group robots ------------------------------------------------------------------------


def _robot_unit_or_404(unit_id: int) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not permissions.can_configure_robots(current_user, unit):
        abort(404)
    return unit


def _robot_kind_or_404(kind: str) -> RobotKind:
    try:
        return RobotKind(kind)
    except ValueError:
        abort(404)


@bp.get("/robots")
@permission_required(permissions.can_publish)
def robot_list():
    """The units the user publishes to, with their group robots."""
    units = list(db.session.scalars(permissions.publishable_units(current_user)))
    paths = name_paths(units)
    units.sort(key=lambda unit: paths[unit.id])
    configured = robots.robots_by_unit([unit.id for unit in units])
    return render_template(
        "notices/robots.html", units=units, paths=paths, configured=configured, names=robots.robot_names()
    )


@bp.route("/robots/<int:unit_id>/<kind>", methods=["GET", "POST"])
@login_required
def robot(unit_id: int, kind: str):
    """Set up, change or remove one of a unit's group robots; stored credentials are shown masked."""
    unit = _robot_unit_or_404(unit_id)
    robot_kind = _robot_kind_or_404(kind)
    existing = robots.robots_of(unit)[robot_kind]
    form = RobotForm(enabled=existing.enabled if existing else True)
    if form.validate_on_submit():
        fields = robots.RobotFields(
            form.webhook_url.data or "", form.secret.data or "", form.clear_secret.data, form.enabled.data
        )
        try:
            robots.save_robot(current_user, unit, robot_kind, fields)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The group robot is saved."), "success")
            return redirect(url_for("notices.robot_list"))
    return render_template(
        "notices/robot.html",
        unit=unit,
        kind=robot_kind,
        name=robots.robot_names()[robot_kind],
        robot=existing,
        masked_url=robots.masked_url(existing) if existing else "",
        masked_secret=robots.masked(existing.secret) if existing else "",
        prefix=robots.url_prefix(robot_kind),
        form=form,
        confirm_form=ConfirmForm(),
    )


@bp.post("/robots/<int:unit_id>/<kind>/remove")
@login_required
def remove_robot(unit_id: int, kind: str):
    unit = _robot_unit_or_404(unit_id)
    existing = robots.robots_of(unit)[_robot_kind_or_404(kind)]
    if existing is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        robots.remove_robot(current_user, existing)
        flash(_("The group robot is removed."), "success")
    return redirect(url_for("notices.robot_list"))


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
