"""Time helpers: everything is stored as naive UTC and shown in the display time zone."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time as naive UTC, the form every timestamp column stores."""
    return datetime.now(UTC).replace(tzinfo=None)
