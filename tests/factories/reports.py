"""Constants, the test mail server's mailbox and builders shared by the report tests."""

from datetime import date, datetime
from decimal import Decimal
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from app.courses.models import Course
from app.extensions import db
from app.progress.models import Certificate, HourEntry, SourceKind
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


def dated_hours(user_id: int, hours: str, month: int, kind: SourceKind, source_id: int | None) -> None:
    """A ledger entry written in ``month`` of YEAR: past records as the ledger left them (its service
    dates an entry now, so a year of history is written as rows)."""
    db.session.add(
        HourEntry(
            user_id=user_id,
            year=YEAR,
            hours=Decimal(hours),
            source_kind=kind,
            source_id=source_id,
            title="测试",
            rule_version="test",
            created_at=datetime(YEAR, month, 15, 4),
        )
    )


def dated_certificate(user_id: int, course: Course, month: int) -> None:
    """A certificate issued in ``month`` of YEAR (past, as dated_hours)."""
    db.session.add(
        Certificate(
            code=f"C{user_id}-{course.id}",
            user_id=user_id,
            course_id=course.id,
            holder_name="x",
            course_title=course.title,
            hours=Decimal("2"),
            issued_at=datetime(YEAR, month, 10, 4),
        )
    )
