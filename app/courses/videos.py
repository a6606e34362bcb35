"""What the courses domain answers the media domain about videos: how many lessons use one, and
whether a member may watch one. The media domain asks through ``app.media.usage`` (it does not
import courses); the courses' ``init_app`` subscribes these answers there.
"""

from sqlalchemy import func, select

from app.auth.models import User
from app.courses.models import Course, CourseStatus, Lesson, LessonKind
from app.courses.permissions import can_view_course
from app.extensions import db
from app.media.models import Video


def lessons_using(video: Video) -> int:
    """Return how many lessons use ``video`` (removed ones too: their progress refers to it)."""
    return db.session.execute(select(func.count(Lesson.id)).where(Lesson.video_id == video.id)).scalar_one()


def may_watch(user: User, video: Video) -> bool:
    """Return whether a current video lesson of a published course ``user`` may see uses ``video``."""
    courses = db.session.scalars(
        select(Course)
        .join(Lesson, Lesson.course_id == Course.id)
        .where(
            Lesson.video_id == video.id,
            Lesson.kind == LessonKind.VIDEO,
            Lesson.removed_at.is_(None),
            Course.status == CourseStatus.PUBLISHED,
        )
        .distinct()
    )
    return any(can_view_course(user, course) for course in courses)
