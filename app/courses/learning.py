"""What the course pages record and show of the member's own learning, supplied by another domain.

The course domain does not import progress (progress builds on courses: it records lesson openings
and completes lessons). The lesson page still records an opening and opens the video player, and
the course page still shows which lessons are done: the progress domain's ``init_app`` hands its
``LearningRecord`` to ``provide``. Without one (an app without progress) the pages record nothing
and show no progress.
"""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from app.auth.models import User
from app.courses.models import Course, Lesson


class LessonState(Protocol):
    """A member's progress on one lesson, as the pages read it."""

    @property
    def first_opened_at(self) -> datetime: ...

    @property
    def completed_at(self) -> datetime | None: ...


class CourseCertificate(Protocol):
    """A completed course's certificate, as the course page links it."""

    @property
    def id(self) -> int: ...

    @property
    def hours(self) -> Decimal: ...


class LearningRecord(Protocol):
    def open_lesson(self, member: User, lesson: Lesson) -> LessonState | None:
        """Record that the member opened the lesson (and apply its completion rule); committed."""

    def player_state(self, member: User, lesson: Lesson) -> Mapping[str, object] | None:
        """What a video lesson's player needs (a viewing session opened for it), or None."""

    def progress_by_lesson(self, member: User, course: Course) -> Mapping[int, LessonState]:
        """The member's progress on the course's lessons, by lesson id."""

    def certificate_for(self, member: User, course: Course) -> CourseCertificate | None:
        """The member's certificate for the course, once completed."""


class NoRecord:
    """Records nothing and shows no progress."""

    def open_lesson(self, member: User, lesson: Lesson) -> LessonState | None:
        return None

    def player_state(self, member: User, lesson: Lesson) -> Mapping[str, object] | None:
        return None

    def progress_by_lesson(self, member: User, course: Course) -> Mapping[int, LessonState]:
        return {}

    def certificate_for(self, member: User, course: Course) -> CourseCertificate | None:
        return None


_provided: list[LearningRecord] = [NoRecord()]


def provide(record: LearningRecord) -> None:
    """Use ``record`` for the member's learning on the course pages (the progress domain's init_app)."""
    _provided[0] = record


def record() -> LearningRecord:
    return _provided[0]
