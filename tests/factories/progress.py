"""Builders for progress tests: courses with lessons of each kind, members, quiz attempts."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.auth.models import User
from app.courses.models import CompletionRule, Course, CourseStatus, Lesson, LessonKind, Module
from app.extensions import db
from app.quizzes.models import Attempt, AttemptStatus, Quiz
from app.timeutil import utcnow

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


PDF = b"%PDF-1.4\n" + b"%" * 64 + b"\n%%EOF\n"


DEFAULT_LESSONS = (
    ("intro", LessonKind.TEXT, 10, CompletionRule.OPENED),
    ("clip", LessonKind.VIDEO, 30, CompletionRule.WATCHED),
    ("reading", LessonKind.READING, 20, CompletionRule.READ),
    ("quiz", LessonKind.QUIZ, 10, CompletionRule.PASSED),
)


def make_course(
    slug: str = "course-a", credit_hours: str = "2", lessons=DEFAULT_LESSONS, **overrides
) -> Course:
    """A published course with one module and the given (key, kind, minutes, rule) lessons."""
    course = Course(
        slug=slug,
        title=overrides.pop("title", f"课程{slug}"),
        credit_hours=Decimal(credit_hours),
        status=CourseStatus.PUBLISHED,
        **overrides,
    )
    module = Module(course=course, key="m1", position=1, title="第一单元")
    db.session.add_all([course, module])
    for position, (key, kind, minutes, rule) in enumerate(lessons, start=1):
        add_lesson(course, module, key, kind, minutes, rule, position)
    db.session.commit()
    return course


def add_lesson(course, module, key, kind, minutes, rule, position=99) -> Lesson:
    lesson = Lesson(
        course=course,
        module=module,
        key=f"m1/{key}",
        position=position,
        title=f"课{key}",
        kind=kind,
        estimated_minutes=minutes,
        completion=rule,
        body="正文",
        quiz_settings={},
        content_hash=key,
    )
    db.session.add(lesson)
    return lesson


def lesson_of(course: Course, key: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.key == f"m1/{key}"))


def make_attempt(member: User, passed: bool, quiz: Quiz | None = None) -> Quiz:
    """A finished attempt at a (new) quiz: what the quizzes domain leaves after grading."""
    quiz = quiz or Quiz(title="测验", published=True)
    db.session.add(quiz)
    db.session.flush()
    number = len(db.session.scalars(select(Attempt).where(Attempt.quiz_id == quiz.id)).all()) + 1
    db.session.add(
        Attempt(
            quiz_id=quiz.id,
            member_id=member.id,
            number=number,
            status=AttemptStatus.FINISHED,
            started_at=utcnow() - timedelta(minutes=5),
            finished_at=utcnow(),
            snapshot=[],
            score=90.0 if passed else 10.0,
            max_score=100.0,
            passed=passed,
        )
    )
    db.session.commit()
    return quiz


def complete_everything(member: User, course: Course) -> None:
    """Complete each lesson of the course through the public services, as the site would."""
    from app.progress import services

    later = utcnow() + timedelta(hours=1)
    for lesson in course.modules[0].lessons:
        if lesson.kind is LessonKind.TEXT:
            services.open_lesson(member, lesson)
            services.confirm_reading(member, lesson, later)
        elif lesson.kind is LessonKind.QUIZ:
            quiz = make_attempt(member, passed=True)
            services.record_quiz_outcome(member, lesson, quiz.id)
        else:
            services.record_lesson_completed(
                member, lesson, {"verified_seconds": lesson.estimated_minutes * 60}
            )


def make_video_lesson(slug: str = "video-course", duration: float = 100.0, **overrides) -> Lesson:
    """A published course whose one lesson is a video lesson linked to a ready video of ``duration`` s."""
    from app.media.models import Video, VideoStatus

    course = make_course(slug, lessons=(("clip", LessonKind.VIDEO, 2, CompletionRule.WATCHED),), **overrides)
    video = Video(
        sha256=f"{slug:0<64}"[:64],
        original_filename="clip.mp4",
        source_path=f"videos/{slug}/original.mp4",
        source_format="mov,mp4,m4a,3gp,3g2,mj2",
        size_bytes=1000,
        status=VideoStatus.READY,
        duration=duration,
        width=640,
        height=360,
    )
    lesson = lesson_of(course, "clip")
    lesson.video = video
    db.session.commit()
    return lesson
