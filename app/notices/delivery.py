"""Delivering a notice beyond the site: by e-mail to its addressees and to the units' group robots.

Publishing adds one :class:`NoticeDelivery` row per channel (e-mail; each enabled robot of a unit in
the notice's subtree) in the publishing transaction; after the commit each row is handed to the job
queue. A job makes one attempt (:func:`attempt_delivery`): it first claims the row with a conditional
UPDATE, so a scheduled retry and the periodic sweep never send the same message twice at once. A
failed attempt is retried after ``NOTICE_DELIVERY_BACKOFF`` seconds, doubled after each further
failure, until ``NOTICE_DELIVERY_ATTEMPTS`` attempts have failed; the row then says ``failed`` with the
last error. The sweep (:func:`retry_due`, every minute and when the worker starts) picks up any due
retry the queue lost.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from app.audit.services import record_audit
from app.auth.models import User
from app.extensions import db, rows_changed
from app.jobs import enqueue, enqueue_later
from app.mail import build_message, mail_enabled, send_message
from app.notices.models import DeliveryChannel, DeliveryStatus, GroupRobot, Notice, NoticeDelivery
from app.notices.robots import RobotRefused, post_to_robot
from app.org.models import OrgUnit
from app.timeutil import utcnow

log = logging.getLogger(__name__)

# A claimed attempt not finished by then (the worker died while sending) may be made again.
CLAIM_LEASE = timedelta(minutes=5)
EXCERPT_CHARS = 600


def email_recipients(notice: Notice) -> list[str]:
    """The e-mail addresses of the notice's active addressees (everyone in its unit's subtree)."""
    return list(
        db.session.scalars(
            select(User.email)
            .join(OrgUnit, User.unit_id == OrgUnit.id)
            .where(
                OrgUnit.in_subtree(notice.unit.path),
                User.active.is_(True),
                User.email.is_not(None),
                User.email != "",
            )
            .order_by(User.id)
        )
    )


def reachable_robots(notice: Notice) -> list[GroupRobot]:
    """The enabled group robots of the units the notice reaches: its unit and every unit below."""
    return list(
        db.session.scalars(
            select(GroupRobot)
            .join(OrgUnit, GroupRobot.unit_id == OrgUnit.id)
            .where(OrgUnit.in_subtree(notice.unit.path), GroupRobot.enabled.is_(True))
            .order_by(OrgUnit.path, GroupRobot.kind)
        )
    )


def plan_deliveries(notice: Notice, email: bool, robots: bool) -> list[NoticeDelivery]:
    """Add the notice's deliveries to the caller's transaction (flushed, not committed)."""
    planned = []
    if email and mail_enabled():
        count = len(email_recipients(notice))
        planned.append(
            NoticeDelivery(channel=DeliveryChannel.EMAIL, target=_("%(count)d recipients", count=count))
        )
    if robots:
        for robot in reachable_robots(notice):
            planned.append(
                NoticeDelivery(channel=DeliveryChannel(robot.kind.value), robot=robot, target=robot.unit.name)
            )
    notice.deliveries.extend(planned)
    db.session.flush()
    return planned


def queue_deliveries(deliveries: list[NoticeDelivery]) -> None:
    """Hand committed deliveries to the job queue; one that cannot be queued waits for the sweep."""
    for delivery_id in [delivery.id for delivery in deliveries]:
        try:
            enqueue("notices.deliver_notice", delivery_id)
        except Exception:
            log.exception("could not queue notice delivery %s; the sweep will retry it", delivery_id)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: the base delay, doubled for each further one."""
    return timedelta(seconds=current_app.config["NOTICE_DELIVERY_BACKOFF"] * 2 ** max(attempts - 1, 0))


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery for one attempt if it is pending and due; False when it is not (or taken)."""
    claimed = rows_changed(
        update(NoticeDelivery)
        .where(
            NoticeDelivery.id == delivery_id,
            NoticeDelivery.status == DeliveryStatus.PENDING,
            or_(NoticeDelivery.next_attempt_at.is_(None), NoticeDelivery.next_attempt_at <= now),
        )
        .values(attempts=NoticeDelivery.attempts + 1, next_attempt_at=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed == 1


def attempt_delivery(delivery_id: int, now: datetime | None = None) -> NoticeDelivery | None:
    """Make one attempt at a delivery that is due; return it (None if it was not due or is gone)."""
    now = now or utcnow()
    if not _claim(delivery_id, now):
        return None
    delivery = db.session.get(NoticeDelivery, delivery_id)
    if delivery is None:  # removed with its notice since the claim
        return None
    db.session.refresh(delivery)
    try:
        _send(delivery)
    except Exception as error:  # every failure is recorded on the delivery, and retried
        _failed(delivery, _describe(error), now)
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = utcnow()
        delivery.last_error = ""
        delivery.next_attempt_at = None
        db.session.commit()
        log.info(
            "notice %s delivered by %s (attempt %d)", delivery.notice_id, delivery.channel, delivery.attempts
        )
    return delivery


def _describe(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text[:500]


def _failed(delivery: NoticeDelivery, error: str, now: datetime) -> None:
    delivery.last_error = error
    if delivery.attempts >= current_app.config["NOTICE_DELIVERY_ATTEMPTS"]:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    db.session.commit()
    log.warning(
        "notice %s by %s failed (attempt %d): %s",
        delivery.notice_id,
        delivery.channel,
        delivery.attempts,
        error,
    )
    if delivery.status is DeliveryStatus.PENDING:
        try:
            enqueue_later("notices.deliver_notice", backoff(delivery.attempts).total_seconds(), delivery.id)
        except Exception:
            log.exception("could not schedule the retry of delivery %s; the sweep will make it", delivery.id)


def retry_due(now: datetime | None = None) -> int:
    """Attempt every pending delivery whose retry is due (or whose claim ran out); return how many."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(NoticeDelivery.id)
            .where(
                NoticeDelivery.status == DeliveryStatus.PENDING,
                or_(NoticeDelivery.next_attempt_at.is_(None), NoticeDelivery.next_attempt_at <= now),
            )
            .order_by(NoticeDelivery.id)
        )
    )
    return sum(attempt_delivery(delivery_id, now) is not None for delivery_id in due)


def retry_now(actor: User, delivery: NoticeDelivery) -> None:
    """A failed delivery gets a fresh round of attempts (the sender asked); queued after the commit."""
    record_audit(
        actor,
        "notice.delivery.retry",
        "notice",
        delivery.notice_id,
        {"channel": delivery.channel.value, "target": delivery.target, "last_error": delivery.last_error},
    )
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = None
    db.session.commit()
    queue_deliveries([delivery])


# --- the messages ---------------------------------------------------------------------------------


def notice_link(notice: Notice) -> str:
    site = current_app.config["SITE_URL"]
    return f"{site}/notices/{notice.id}" if site else ""


def _excerpt(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rstrip() + "…"


def _send(delivery: NoticeDelivery) -> None:
    notice = delivery.notice
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        if delivery.channel is DeliveryChannel.EMAIL:
            _send_email(notice)
        else:
            if delivery.robot is None:
                raise RobotRefused(_("The group robot was removed."))
            if not delivery.robot.enabled:
                raise RobotRefused(_("The group robot is turned off."))
            post_to_robot(delivery.robot, notice.title, robot_markdown(notice))


def _lines(notice: Notice) -> list[str]:
    lines = [_("From %(unit)s · %(sender)s", unit=notice.unit.name, sender=notice.sender.display_name)]
    if notice.deadline:
        lines.append(_("Deadline: %(date)s", date=notice.deadline.isoformat()))
    if notice.requires_ack:
        lines.append(_("Please open the notice on the site and acknowledge it."))
    return lines


def email_text(notice: Notice) -> str:
    link = notice_link(notice)
    parts = [notice.title, "", *_lines(notice), "", notice.body]
    if link:
        parts += ["", _("Read it on the site: %(link)s", link=link)]
    return "\n".join(parts)


def robot_markdown(notice: Notice) -> str:
    link = notice_link(notice)
    parts = [f"### {notice.title}", "\n".join(f"> {line}" for line in _lines(notice)), _excerpt(notice.body)]
    if link:
        parts.append("[{label}]({link})".format(label=_("Read the notice"), link=link))
    return "\n\n".join(part for part in parts if part)


def _send_email(notice: Notice) -> None:
    recipients = email_recipients(notice)
    if not recipients:
        raise RuntimeError(_("None of the addressees has an e-mail address."))
    if not mail_enabled():
        raise RuntimeError(_("E-mail is not set up on this site (MAIL_SERVER)."))
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message = build_message([sender], _("Notice: %(title)s", title=notice.title), email_text(notice))
    # Every addressee in the envelope, none in the headers: they do not see each other's addresses.
    send_message(message, to_addrs=recipients)
