"""Builders for the home's tests: a member part-way through a required course, with something in
every block of the home; the browser fixtures for the phone-width check."""

from datetime import date, timedelta

from app.courses import services as courses
from app.discussions import services as discussions
from app.extensions import db
from app.media.models import Video, VideoStatus
from app.notices import services as notices
from app.progress import services as progress
from app.progress.watching import heartbeats
from app.quizzes.models import Quiz
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.progress import DEFAULT_LESSONS, lesson_of, make_course

LATER = utcnow() + timedelta(hours=1)


def attach_video(lesson, duration: float = 100.0) -> None:
    lesson.video = Video(
        sha256=f"{lesson.id:0<64}"[:64],
        original_filename="clip.mp4",
        source_path=f"videos/{lesson.id}/original.mp4",
        source_format="mov,mp4,m4a,3gp,3g2,mj2",
        size_bytes=1000,
        status=VideoStatus.READY,
        duration=duration,
        width=640,
        height=360,
    )
    db.session.commit()


def attach_quiz(lesson, title: str = "课程测验") -> Quiz:
    quiz = Quiz(title=title, published=True, attempts_allowed=3)
    db.session.add(quiz)
    db.session.flush()
    lesson.quiz_id = quiz.id
    db.session.commit()
    return quiz


def required_course(slug: str = "dangzhang", title: str = "党章学习", lessons=DEFAULT_LESSONS):
    """A published course of text, video, reading and quiz lessons, required for 甲党委 this year."""
    course = make_course(slug, title=title, lessons=lessons)
    year = courses.current_year()
    courses.assign_course(
        course, user_named("sec_a").unit.parent.parent, year, True, date(year, 12, 31), user_named("admin")
    )
    return course


def studying_member(slug: str = "dangzhang") -> dict:
    """member_a: read the text lesson, watched 40 s of the video, a question answered by the trainer,
    a notice unread, a course quiz and a standalone quiz waiting."""
    member = user_named("member_a")
    course = required_course(slug)
    intro, clip, quiz_lesson = (
        lesson_of(course, "intro"),
        lesson_of(course, "clip"),
        lesson_of(course, "quiz"),
    )
    attach_video(clip)
    attach_quiz(quiz_lesson)
    standalone = Quiz(title="每月一测", published=True)
    db.session.add(standalone)
    db.session.commit()

    session = heartbeats.open_session(member, clip, now=utcnow())
    heartbeats.heartbeat(
        member, clip.id, {"start": 0, "end": 10, "session": session}, now=utcnow() + timedelta(seconds=10)
    )
    heartbeats.heartbeat(
        member, clip.id, {"start": 10, "end": 20, "session": session}, now=utcnow() + timedelta(seconds=20)
    )
    progress.open_lesson(member, intro)
    progress.confirm_reading(member, intro, LATER)  # the latest trace: the intro, completed

    question = discussions.create_post(member, intro, "入党誓词何时宣读？", is_question=True)
    discussions.reply_to(user_named("trainer"), question, "在入党仪式上宣读。")
    notice = notices.publish_notice(
        user_named("sec_a"), user_named("sec_a").unit, notices.NoticeFields(title="关于开展主题党日的通知")
    )
    return {
        "course": course,
        "clip": clip,
        "quiz_lesson": quiz_lesson,
        "standalone": standalone,
        "notice": notice,
    }
