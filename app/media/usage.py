"""Where videos are used: the seam between media and the courses domain.

A video lesson links the video its course folder's file became (``Lesson.video_id``). Everything in
media asks only these functions.
"""

from sqlalchemy import func, select

from app.auth.models import User
from app.courses import permissions as course_permissions
from app.courses.models import Course, CourseStatus, Lesson, LessonKind
from app.extensions import db
from app.media.models import Video


def count_video_usages(video: Video) -> int:
    """Return how many lessons use ``video`` (removed ones too: their progress refers to it)."""
    return db.session.execute(select(func.count(Lesson.id)).where(Lesson.video_id == video.id)).scalar_one()


def member_may_watch(user: User, video: Video) -> bool:
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
    return any(course_permissions.can_view_course(user, course) for course in courses)
