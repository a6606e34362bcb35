"""The pace a member needs to keep to reach the annual target by the end of the year."""

from datetime import date
from decimal import Decimal


def expected_hours(target: Decimal, year: int, on: date) -> Decimal:
    """Hours a member should have by ``on``: the target spread evenly over the days of ``year``."""
    if on.year < year:
        return Decimal("0")
    if on.year > year:
        return target
    days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    elapsed = (on - date(year, 1, 1)).days + 1
    return (target * elapsed / days_in_year).quantize(Decimal("0.01"))
