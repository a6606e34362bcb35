"""Each lesson kind's completion rule, and course completion computed in the same request."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.courses.models import CompletionRule, LessonKind
from app.extensions import db
from app.progress import services
from app.progress.models import Certificate, HourEntry, LessonProgress, SourceKind, Statement
from app.progress.services import ProgressError
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of, make_course
from tests.factories.progress import complete_everything
from tests.factories.quizzes import make_attempt


def completed(member, lesson) -> bool:
    progress = services.progress_of(member, lesson)
    return progress is not None and progress.completed_at is not None


def test_a_text_lesson_is_not_complete_on_first_opening(app, world):
    with app.app_context():
        course = make_course()
        member, intro = user_named("member_a"), lesson_of(course, "intro")
        services.open_lesson(member, intro)
        assert not completed(member, intro)


def test_finished_reading_too_early_is_refused_and_counts_after_the_minimum_time(app, world):
    with app.app_context():
        course = make_course()
        member, intro = user_named("member_a"), lesson_of(course, "intro")  # 10 minutes: 5 needed
        progress = services.open_lesson(member, intro)
        with pytest.raises(ProgressError):
            services.confirm_reading(member, intro, progress.first_opened_at + timedelta(minutes=4))
        assert not completed(member, intro)
        assert services.confirm_reading(member, intro, progress.first_opened_at + timedelta(minutes=5))
        assert completed(member, intro)


def test_a_later_visit_after_the_minimum_time_completes_a_text_lesson(app, world):
    with app.app_context():
        course = make_course()
        member, intro = user_named("member_a"), lesson_of(course, "intro")
        progress = services.open_lesson(member, intro)
        services.open_lesson(member, intro, progress.first_opened_at + timedelta(minutes=2))
        assert not completed(member, intro)
        services.open_lesson(member, intro, progress.first_opened_at + timedelta(minutes=6))
        assert completed(member, intro)


def test_the_finished_reading_button_reports_the_wait_on_the_lesson_page(app, client, auth, world):
    with app.app_context():
        course = make_course()
        intro = lesson_of(course, "intro")
    auth.login("member_a")
    page = client.get(f"/courses/{course.slug}/lessons/{intro.id}").get_data(as_text=True)
    assert 'data-testid="finish-reading"' in page
    from tests.web import csrf_token

    token = csrf_token(client, f"/courses/{course.slug}/lessons/{intro.id}")
    client.post(f"/progress/lessons/{intro.id}/finished", data={"csrf_token": token})
    with app.app_context():
        assert not completed(user_named("member_a"), intro)
        row = db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == intro.id))
        row.first_opened_at -= timedelta(minutes=6)  # the member has been reading for six minutes
        db.session.commit()
    client.post(f"/progress/lessons/{intro.id}/finished", data={"csrf_token": token})
    with app.app_context():
        assert completed(user_named("member_a"), intro)
    page = client.get(f"/courses/{course.slug}/lessons/{intro.id}").get_data(as_text=True)
    assert 'data-testid="completed"' in page and 'data-testid="finish-reading"' not in page


def test_opening_a_video_lesson_does_not_complete_it_but_verified_evidence_does(app, world):
    with app.app_context():
        course = make_course()
        member, clip = user_named("member_a"), lesson_of(course, "clip")
        services.open_lesson(member, clip)
        assert not completed(member, clip)
        assert services.record_lesson_completed(member, clip, {"verified_seconds": 1800, "event_ids": [1, 2]})
        assert completed(member, clip)
        statement = db.session.scalar(
            select(Statement).where(Statement.verb == "completed", Statement.object_id == clip.id)
        )
        assert statement.payload == {"verified_seconds": 1800, "event_ids": [1, 2]}


def test_a_video_lesson_whose_rule_is_opened_completes_on_opening(app, world):
    with app.app_context():
        course = make_course(lessons=(("clip", LessonKind.VIDEO, 5, CompletionRule.OPENED),))
        member, clip = user_named("member_a"), lesson_of(course, "clip")
        services.open_lesson(member, clip)
        assert completed(member, clip)


def test_reading_time_evidence_completes_a_reading_lesson_but_not_a_text_lesson(app, world):
    with app.app_context():
        course = make_course()
        member = user_named("member_a")
        assert services.record_lesson_completed(
            member, lesson_of(course, "reading"), {"verified_seconds": 1200}
        )
        with pytest.raises(ProgressError):
            services.record_lesson_completed(member, lesson_of(course, "intro"), {"verified_seconds": 1200})
        with pytest.raises(ProgressError):
            services.record_lesson_completed(member, lesson_of(course, "clip"), {})


def test_a_quiz_lesson_completes_only_when_passed(app, world):
    with app.app_context():
        course = make_course()
        member, quiz_lesson = user_named("member_a"), lesson_of(course, "quiz")
        quiz = make_attempt(member, passed=False)
        assert not services.record_quiz_outcome(member, quiz_lesson, quiz.id)
        assert not completed(member, quiz_lesson)
        make_attempt(member, passed=True, quiz=quiz)
        assert services.record_quiz_outcome(member, quiz_lesson, quiz.id)
        assert completed(member, quiz_lesson)
        verbs = set(db.session.scalars(select(Statement.verb).where(Statement.object_type == "quiz")))
        assert verbs == {"failed", "passed"}


def test_a_quiz_lesson_whose_rule_is_submitted_completes_on_a_failed_attempt(app, world):
    with app.app_context():
        course = make_course(lessons=(("quiz", LessonKind.QUIZ, 10, CompletionRule.SUBMITTED),))
        member, quiz_lesson = user_named("member_a"), lesson_of(course, "quiz")
        quiz = make_attempt(member, passed=False)
        assert services.record_quiz_outcome(member, quiz_lesson, quiz.id)


def test_the_course_completes_with_its_last_lesson_and_credits_its_hours_at_once(app, world):
    with app.app_context():
        course = make_course(credit_hours="2")
        member = user_named("member_a")
        lessons = course.modules[0].lessons
        for lesson in lessons[1:3]:
            services.record_lesson_completed(member, lesson, {"verified_seconds": 60})
        assert db.session.scalar(select(func.count(HourEntry.id))) == 0
        complete_everything(member, course)
        entry = db.session.scalar(select(HourEntry))
        assert (entry.source_kind, entry.source_id, entry.hours) == (SourceKind.COURSE, course.id, 2)
        assert entry.rule_version == "default/v1"
        assert len(entry.evidence_ids) == 4  # the four lessons' completion statements
        certificate = db.session.scalar(select(Certificate))
        assert (certificate.user_id, certificate.course_id, certificate.hours) == (member.id, course.id, 2)
        course_done = db.session.scalar(
            select(func.count(Statement.id)).where(
                Statement.object_type == "course", Statement.verb == "completed"
            )
        )
        assert course_done == 1
