"""Notice operations: publish, edit (keeping history), attachments, receipts and reminders.

Callers check permissions through app.notices.permissions first; these functions validate the
input, enforce the invariants and own the transaction.
"""

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.audit.services import record_audit
from app.auth.models import User
from app.courses.attachments import sniff
from app.errors import DomainError
from app.extensions import db
from app.notices import delivery
from app.notices.models import Notice, NoticeAttachment, NoticeReceipt, NoticeReminder, NoticeRevision
from app.notices.permissions import is_addressee, received_notices
from app.org.models import OrgUnit
from app.timeutil import utcnow

MAX_TITLE = 200
MAX_BODY = 20000
MAX_ATTACHMENTS = 5


@dataclass
class NoticeFields:
    title: str
    body: str = ""
    deadline: date | None = None
    requires_ack: bool = False


@dataclass
class Upload:
    filename: str
    data: bytes


def _validated(fields: NoticeFields) -> NoticeFields:
    title = (fields.title or "").strip()
    if not title:
        raise DomainError(_("A notice needs a title."))
    if len(title) > MAX_TITLE:
        raise DomainError(_("The title can be at most %(count)d characters long.", count=MAX_TITLE))
    body = (fields.body or "").strip()
    if len(body) > MAX_BODY:
        raise DomainError(_("The text can be at most %(count)d characters long.", count=MAX_BODY))
    return NoticeFields(title, body, fields.deadline, bool(fields.requires_ack))


def notices_dir() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "notices"


def _checked_uploads(uploads: list[Upload], already: int = 0) -> list[tuple[Upload, str, str]]:
    """Check every upload by content and size before anything is stored; return (upload, ext, mime)."""
    uploads = [upload for upload in uploads if upload.data]
    if already + len(uploads) > MAX_ATTACHMENTS:
        raise DomainError(_("A notice can have at most %(count)d attachments.", count=MAX_ATTACHMENTS))
    limit = current_app.config["NOTICE_ATTACHMENT_MAX_BYTES"]
    checked = []
    for upload in uploads:
        if len(upload.data) > limit:
            raise DomainError(
                _("%(name)s is too large (at most %(size)d MB).", name=upload.filename, size=limit // 1024**2)
            )
        kind = sniff(upload.data[:16])
        if kind is None:
            raise DomainError(
                _(
                    "%(name)s is not an image or a PDF: only PNG, JPEG, GIF, WebP and PDF files can be attached.",
                    name=upload.filename,
                )
            )
        checked.append((upload, *kind))
    return checked


def _display_name(filename: str, extension: str) -> str:
    stem = Path((filename or "").replace("\\", "/")).stem.strip()[:150] or "attachment"
    return stem + extension


def _store(notice: Notice, checked: list[tuple[Upload, str, str]]) -> None:
    """Write the files (content-addressed, atomically) and add their rows to the session."""
    folder = notices_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for upload, extension, mimetype in checked:
        stored_name = hashlib.sha256(upload.data).hexdigest() + extension
        target = folder / stored_name
        if not target.exists():
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(upload.data)
            os.replace(temporary, target)
        notice.attachments.append(
            NoticeAttachment(
                filename=_display_name(upload.filename, extension),
                stored_name=stored_name,
                mimetype=mimetype,
                size=len(upload.data),
            )
        )


def attachment_path(attachment: NoticeAttachment) -> Path:
    return notices_dir() / attachment.stored_name


def _add_revision(notice: Notice, editor: User) -> None:
    notice.revisions.append(
        NoticeRevision(
            number=notice.version,
            title=notice.title,
            body=notice.body,
            deadline=notice.deadline,
            requires_ack=notice.requires_ack,
            editor=editor,
        )
    )


def publish_notice(
    sender: User,
    unit: OrgUnit,
    fields: NoticeFields,
    uploads: Sequence[Upload] = (),
    email: bool = False,
    robots: bool = False,
) -> Notice:
    """Publish a notice to ``unit`` and everyone below it.

    With ``email`` it is also e-mailed to the addressees, with ``robots`` posted to the group robots
    of the units it reaches: the deliveries are recorded with the notice and queued once it is saved.
    """
    fields = _validated(fields)
    checked = _checked_uploads(list(uploads))
    notice = Notice(
        unit=unit,
        sender=sender,
        title=fields.title,
        body=fields.body,
        deadline=fields.deadline,
        requires_ack=fields.requires_ack,
        version=1,
    )
    db.session.add(notice)
    _add_revision(notice, sender)
    _store(notice, checked)
    db.session.flush()
    deliveries = delivery.plan_deliveries(notice, email=email, robots=robots)
    record_audit(
        sender,
        "notice.publish",
        "notice",
        notice.id,
        {
            "unit_id": unit.id,
            "title": fields.title,
            "channels": sorted({d.channel.value for d in deliveries}),
        },
    )
    db.session.commit()
    delivery.queue_deliveries(deliveries)
    return notice


def edit_notice(editor: User, notice: Notice, fields: NoticeFields, uploads: Sequence[Upload] = ()) -> bool:
    """Change a published notice: a new revision is kept and the notice shows it was edited.

    Return False (and change nothing) when nothing differs.
    """
    fields = _validated(fields)
    checked = _checked_uploads(list(uploads), already=len(notice.attachments))
    unchanged = (fields.title, fields.body, fields.deadline, fields.requires_ack) == (
        notice.title,
        notice.body,
        notice.deadline,
        notice.requires_ack,
    )
    if unchanged and not checked:
        return False
    notice.title = fields.title
    notice.body = fields.body
    notice.deadline = fields.deadline
    notice.requires_ack = fields.requires_ack
    notice.version += 1
    notice.edited_at = utcnow()
    _add_revision(notice, editor)
    _store(notice, checked)
    record_audit(editor, "notice.edit", "notice", notice.id, {"version": notice.version})
    db.session.commit()
    return True


# --- receipts -------------------------------------------------------------------------------------


def receipt_for(user: User, notice: Notice) -> NoticeReceipt | None:
    return db.session.scalars(
        select(NoticeReceipt).where(NoticeReceipt.notice_id == notice.id, NoticeReceipt.user_id == user.id)
    ).first()


def _ensure_receipt(user: User, notice: Notice) -> NoticeReceipt:
    receipt = receipt_for(user, notice)
    if receipt is not None:
        return receipt
    db.session.add(NoticeReceipt(notice_id=notice.id, user_id=user.id, read_at=utcnow()))
    try:
        db.session.commit()
    except IntegrityError:  # opened in two tabs at once: the other request recorded it first
        db.session.rollback()
    receipt = receipt_for(user, notice)
    assert receipt is not None  # the unique key refused ours because the other one was committed
    return receipt


def open_notice(user: User, notice: Notice) -> NoticeReceipt | None:
    """Record that an addressee opened the notice (first time only); others leave no receipt."""
    if not is_addressee(user, notice):
        return None
    receipt = _ensure_receipt(user, notice)
    db.session.commit()
    return receipt


def acknowledge_notice(user: User, notice: Notice) -> NoticeReceipt:
    if not notice.requires_ack:
        raise DomainError(_("This notice does not ask for an acknowledgement."))
    if not is_addressee(user, notice):
        raise DomainError(_("This notice is not addressed to you."))
    receipt = _ensure_receipt(user, notice)
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at = utcnow()
    db.session.commit()
    return receipt


def unread_count(user: User) -> int:
    statement = (
        received_notices(user)
        .outerjoin(
            NoticeReceipt, and_(NoticeReceipt.notice_id == Notice.id, NoticeReceipt.user_id == user.id)
        )
        .where(NoticeReceipt.id.is_(None))
        .with_only_columns(func.count(Notice.id))
    )
    return db.session.execute(statement).scalar_one()


@dataclass
class InboxRow:
    notice: Notice
    receipt: NoticeReceipt | None
    reminded: bool

    @property
    def unread(self) -> bool:
        return self.receipt is None

    @property
    def needs_ack(self) -> bool:
        return self.notice.requires_ack and (self.receipt is None or self.receipt.acknowledged_at is None)


def inbox(user: User, limit: int = 200) -> list[InboxRow]:
    """The user's notices: unread first, then newest first."""
    reminded = (
        select(NoticeReminder.id)
        .where(NoticeReminder.notice_id == Notice.id, NoticeReminder.user_id == user.id)
        .exists()
    )
    rows = db.session.execute(
        received_notices(user)
        .outerjoin(
            NoticeReceipt, and_(NoticeReceipt.notice_id == Notice.id, NoticeReceipt.user_id == user.id)
        )
        .with_only_columns(Notice, NoticeReceipt, reminded)
        .order_by(NoticeReceipt.id.is_not(None), Notice.published_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    return [InboxRow(notice, receipt, bool(was_reminded)) for notice, receipt, was_reminded in rows]


@dataclass
class UnitReceipts:
    unit: OrgUnit
    depth: int
    members: int
    read: int
    acknowledged: int


def _audience(notice: Notice) -> ColumnElement[bool]:
    return and_(User.active.is_(True), OrgUnit.in_subtree(notice.unit.path))


def receipts_by_unit(notice: Notice) -> list[UnitReceipts]:
    """Members, readers and acknowledgements per unit of the notice's subtree, in tree order."""
    rows = db.session.execute(
        select(
            OrgUnit,
            func.count(User.id),
            func.count(NoticeReceipt.id),
            func.count(NoticeReceipt.acknowledged_at),
        )
        .select_from(OrgUnit)
        .outerjoin(User, and_(User.unit_id == OrgUnit.id, User.active.is_(True)))
        .outerjoin(
            NoticeReceipt, and_(NoticeReceipt.user_id == User.id, NoticeReceipt.notice_id == notice.id)
        )
        .where(OrgUnit.in_subtree(notice.unit.path))
        .group_by(OrgUnit.id)
        .order_by(OrgUnit.path)
    )
    base = notice.unit.depth
    return [
        UnitReceipts(unit, unit.depth - base, members, read, acked) for unit, members, read, acked in rows
    ]


def pending_members(notice: Notice) -> list[tuple[User, NoticeReceipt | None]]:
    """The addressees who have not read the notice, or not acknowledged it when that is asked."""
    outstanding: ColumnElement[bool] = NoticeReceipt.id.is_(None)
    if notice.requires_ack:
        outstanding = or_(outstanding, NoticeReceipt.acknowledged_at.is_(None))
    rows = db.session.execute(
        select(User, NoticeReceipt)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .outerjoin(
            NoticeReceipt, and_(NoticeReceipt.user_id == User.id, NoticeReceipt.notice_id == notice.id)
        )
        .where(_audience(notice), outstanding)
        .order_by(OrgUnit.path, User.username)
    )
    return [(user, receipt) for user, receipt in rows]


def remind_pending(sender: User, notice: Notice) -> int:
    """Leave an in-app reminder for every addressee still outstanding; return how many."""
    pending = pending_members(notice)
    if not pending:
        raise DomainError(_("Everyone has already read this notice: nobody to remind."))
    now = utcnow()
    for user, _receipt in pending:
        db.session.add(
            NoticeReminder(notice_id=notice.id, user_id=user.id, reminded_by_id=sender.id, created_at=now)
        )
    record_audit(sender, "notice.remind", "notice", notice.id, {"members": len(pending)})
    db.session.commit()
    return len(pending)


def reminder_count(notice: Notice) -> int:
    statement = select(func.count(NoticeReminder.id)).where(NoticeReminder.notice_id == notice.id)
    return db.session.execute(statement).scalar_one()


def totals_for(notices: list[Notice]) -> dict[int, tuple[int, int, int]]:
    """(addressees, readers, acknowledgements) per notice, in one query over every notice's subtree."""
    if not notices:
        return {}
    target = aliased(OrgUnit)
    home = aliased(OrgUnit)
    rows = db.session.execute(
        select(
            Notice.id,
            func.count(User.id),
            func.count(NoticeReceipt.id),
            func.count(NoticeReceipt.acknowledged_at),
        )
        .join(target, Notice.unit_id == target.id)
        .join(home, home.path.like(target.path.concat("%")))
        .join(User, and_(User.unit_id == home.id, User.active.is_(True)))
        .outerjoin(
            NoticeReceipt, and_(NoticeReceipt.notice_id == Notice.id, NoticeReceipt.user_id == User.id)
        )
        .where(Notice.id.in_([notice.id for notice in notices]))
        .group_by(Notice.id)
    )
    return {notice_id: (members, read, acked) for notice_id, members, read, acked in rows}
