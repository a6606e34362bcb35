"""Sending e-mail over SMTP, with the settings from the environment (MAIL_*).

Mail is sent from background jobs only (see :func:`queue_mail`), never inside a web request, so a
slow or absent mail server delays nobody. Without ``MAIL_SERVER`` mail is off: nothing is queued.
"""

import logging
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage

from flask import current_app

from app.jobs import app_task

log = logging.getLogger(__name__)


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def build_message(
    to: list[str], subject: str, body: str, attachments: Sequence[tuple[str, str, bytes]] = ()
) -> EmailMessage:
    """A UTF-8 message; attachments are (file name, content type, bytes), Chinese names included."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    for filename, content_type, content in attachments:
        maintype, _slash, subtype = content_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def send_message(message: EmailMessage, to_addrs: list[str] | None = None) -> None:
    """Deliver now through the configured server (raises on failure: the job retries).

    ``to_addrs`` sends to these envelope recipients instead of the message's To header (a notice
    goes to all its addressees at once without showing them each other's addresses).
    """
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message, to_addrs=to_addrs)


@app_task(retries=3, retry_delay=60)
def deliver(
    to: list[str], subject: str, body: str, attachments: Sequence[tuple[str, str, bytes]] = ()
) -> None:
    send_message(build_message(to, subject, body, attachments))
    log.info("mail sent to %d recipient(s): %s", len(to), subject)


def queue_mail(
    to: list[str], subject: str, body: str, attachments: Sequence[tuple[str, str, bytes]] = ()
) -> bool:
    """Queue a message for the job worker; returns False (and queues nothing) when mail is off."""
    recipients = [address for address in to if address]
    if not mail_enabled() or not recipients:
        return False
    deliver(recipients, subject, body, list(attachments))
    return True
