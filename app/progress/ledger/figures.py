"""Hours and years as the ledger takes and writes them: the one hours parser and formatter,
the display time zone's year, and the ledger's error."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from app.errors import DomainError
from app.timeutil import utcnow


class LedgerError(DomainError):
    pass


# Hours as a person or a file gives them: a number, or its text.
HoursInput = Decimal | str | int | float


def local_time(at: datetime | None = None) -> datetime:
    """A stored naive UTC time in the display time zone."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    return (at or utcnow()).replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)


def local_year(at: datetime | None = None) -> int:
    """The year in the display time zone (a credit on 31 December 20:00 UTC belongs to 1 January)."""
    return local_time(at).year


def parse_hours(value: object, low: str = "0", high: str = "100") -> Decimal:
    """Hours given by a person (a form, the CLI): a number between ``low`` and ``high``, two decimals."""
    try:
        hours = Decimal(str(value))
    except InvalidOperation as error:
        raise LedgerError(_("Give the hours as a number such as 0.5.")) from error
    if not hours.is_finite() or not Decimal(low) <= hours <= Decimal(high) or hours != round(hours, 2):
        raise LedgerError(
            _("Give hours between %(low)s and %(high)s, with at most two decimals.", low=low, high=high)
        )
    return hours


def format_hours(value: object) -> str:
    """Hours as the site writes them everywhere: no exponent, no trailing zeros (32, 1.5, 0.25)."""
    return format(Decimal(str(value or 0)).normalize(), "f")
