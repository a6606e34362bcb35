"""What progress supplies to the pages of the domains it builds on (courses, library).

Those domains do not import progress: they declare what their pages need of the member's learning
(``app/courses/learning.py``, ``app/library/learning.py``) and ``init_app`` provides it from here.
"""

from collections.abc import Mapping

from sqlalchemy import select

from app.auth.models import User
from app.courses import learning as course_learning
from app.courses.models import Course, Lesson
from app.extensions import db
from app.library import learning as library_learning
from app.library.models import Document
from app.progress import services
from app.progress.completion import certificates
from app.progress.models import Certificate, LessonProgress
from app.progress.watching import heartbeats, reading


class CoursePages:
    """The member's learning on the lesson and course pages (``courses.learning.LearningRecord``)."""

    def open_lesson(self, member: User, lesson: Lesson) -> LessonProgress:
        return services.open_lesson(member, lesson)

    def player_state(self, member: User, lesson: Lesson) -> Mapping[str, object] | None:
        return heartbeats.player_state(member, lesson)

    def progress_by_lesson(self, member: User, course: Course) -> Mapping[int, LessonProgress]:
        rows = db.session.scalars(
            select(LessonProgress)
            .join(Lesson, LessonProgress.lesson_id == Lesson.id)
            .where(LessonProgress.user_id == member.id, Lesson.course_id == course.id)
        )
        return {row.lesson_id: row for row in rows}

    def certificate_for(self, member: User, course: Course) -> Certificate | None:
        return certificates.certificate_for(member, course)


def reading_timer(member: User, document: Document, lesson_id: int) -> Mapping[str, object] | None:
    """The reading timer, when the document page was opened from a reading lesson on this document."""
    lesson = reading.readable_lesson(lesson_id)
    if lesson is None or lesson.reading_document != document.key:
        return None
    return {"lesson": lesson, **reading.reading_state(member, lesson)}


def provide() -> None:
    course_learning.provide(CoursePages())
    library_learning.provide_reading_timer(reading_timer)
