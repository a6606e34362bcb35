"""Builders for progress tests: a course completed, uploads' bytes (courses come from
tests.factories.courses, attempts from tests.factories.quizzes)."""

from datetime import timedelta

from app.auth.models import User
from app.courses.models import Course, LessonKind
from app.extensions import db
from app.quizzes.models import Quiz
from app.timeutil import utcnow
from tests.factories.quizzes import make_attempt

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


PDF = b"%PDF-1.4\n" + b"%" * 64 + b"\n%%EOF\n"


def complete_everything(member: User, course: Course) -> None:
    """Complete each lesson of the course through the public services, as the site would."""
    from app.progress import services

    later = utcnow() + timedelta(hours=1)
    for lesson in course.modules[0].lessons:
        if lesson.kind is LessonKind.TEXT:
            services.open_lesson(member, lesson)
            services.confirm_reading(member, lesson, later)
        elif lesson.kind is LessonKind.QUIZ:  # passing the lesson's quiz completes it
            make_attempt(member, passed=True, quiz=db.session.get(Quiz, lesson.quiz_id))
        else:
            services.record_lesson_completed(
                member, lesson, {"verified_seconds": lesson.estimated_minutes * 60}
            )
