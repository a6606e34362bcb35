"""Constants, the test mail server's mailbox and builders shared by the report tests."""

from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from app.extensions import db
from tests.factories.auth import user_named

YEAR = 2026


ON = date(2026, 7, 1)


MONDAY = date(2026, 6, 29)  # c-party is due the next day


class Mailbox:
    """What a real SMTP server (aiosmtpd, on a free local port) received."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"


def set_email(username: str, address: str) -> None:
    user_named(username).email = address
    db.session.commit()
