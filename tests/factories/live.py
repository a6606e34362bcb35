"""Builders for live lesson tests: a published course with one live lesson, imported from its folder."""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.courses.models import Course, Lesson, LessonKind
from app.extensions import db
from app.live import services
from app.timeutil import utcnow
from tests.factories.courses import courses_dir, import_folder, lesson_text, write_file


def make_live_lesson(
    starts_at: datetime | None = None,
    minutes: int = 45,
    completion: str = "attended",
    slug: str = "live-course",
    owner: str = "trainer",
) -> Lesson:
    """A published course of one live lesson starting at ``starts_at`` (UTC; now by default)."""
    starts_at = starts_at or utcnow()
    root = courses_dir() / slug
    write_file(root / "course.yml", f"slug: {slug}\ntitle: 直播课程\ncredit_hours: 1\nstatus: published\n")
    write_file(root / "01-live" / "module.yml", "title: 直播单元\n")
    write_file(
        root / "01-live" / "01-lecture.md",
        lesson_text(
            "学习二十大精神直播",
            "live",
            body="直播党课说明。",
            minutes=minutes,
            completion=completion,
            starts=f'"{starts_at.isoformat(timespec="seconds")}+00:00"',
            speaker="张老师",
        ),
    )
    import_folder(root, owner)
    return db.session.scalars(
        select(Lesson).join(Course).where(Course.slug == slug, Lesson.kind == LessonKind.LIVE)
    ).one()


def stream_key(lesson: Lesson) -> str:
    """The secret part of the lesson's stream key (what follows ?key=)."""
    return services.encoder_settings(lesson).stream_key.split("?key=", 1)[1]


def broadcast(lesson: Lesson, start: datetime, seconds: float) -> None:
    """A broadcast of ``seconds`` from ``start``, through nginx's callbacks as services."""
    name = f"lesson-{lesson.id}"
    services.authorize_publish(name, stream_key(lesson), "127.0.0.1", "1", start)
    services.publish_done(name, start + timedelta(seconds=seconds))
