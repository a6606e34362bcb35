"""The reminders the member's 我的学习 page shows, supplied by the domains that send them.

Progress does not import the domains above it: the reports domain (behind the target's pace, a
required course due soon) adds its source here from its ``init_app``. Without one the page shows no
reminders.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.auth.models import User


@dataclass(frozen=True)
class PageReminder:
    """One reminder as the page shows it."""

    kind: str  # what it is about, named on the page (data-testid "reminder-<kind>")
    text: str  # the sentence, in the current language
    dismiss_url: str  # where the page's Dismiss button posts


ReminderSource = Callable[[User, date], list[PageReminder]]
# Each returns the member's reminders to show on the day given, newest first.
reminder_sources: list[ReminderSource] = []


def add_reminder_source(source: ReminderSource) -> None:
    """Show ``source(member, today)``'s reminders on the page too (once, however many apps are built)."""
    if source not in reminder_sources:
        reminder_sources.append(source)


def reminders_for(member: User, on: date) -> list[PageReminder]:
    return [reminder for source in reminder_sources for reminder in source(member, on)]
