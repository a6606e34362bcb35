"""Builders for the home's tests: a member part-way through a required course, with something in
every block of the home; the browser fixtures for the phone-width check."""

from datetime import date, timedelta

from app.courses import services as courses
from app.discussions import services as discussions
from app.notices import services as notices
from app.progress import services as progress
from app.progress.watching import heartbeats
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.courses import DEFAULT_LESSONS, lesson_of, make_course
from tests.factories.quizzes import make_quiz, true_false

LATER = utcnow() + timedelta(hours=1)


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
    standalone = make_quiz([true_false()], title="每月一测")

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
