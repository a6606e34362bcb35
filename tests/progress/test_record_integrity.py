"""One learning event, one transaction: a crash at any step of a completion leaves nothing of it, and
every path that finishes a quiz attempt completes the lessons built on it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.courses.models import CompletionRule, Lesson, LessonKind
from app.extensions import db
from app.progress import ledger, services
from app.progress.completion import certificates
from app.progress.completion import evidence as completion_evidence
from app.progress.completion import lessons as completion_lessons
from app.progress.models import Certificate, HourEntry, LessonProgress, RuleKind, SourceKind, Statement
from app.progress.watching import heartbeats
from app.quizzes import jobs as quiz_jobs
from app.quizzes.models import AttemptStatus
from app.quizzes.services import attempts
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of, make_course, make_video_lesson
from tests.factories.quizzes import essay, make_quiz, single
from tests.web import csrf_token


class Crash(Exception):
    """A worker dying mid-way, as the code sees it: an exception between two steps."""


def record_of(member_id: int) -> dict:
    """Everything a completion writes for the member, counted."""
    return {
        "completed lessons": db.session.scalar(
            select(func.count(LessonProgress.id)).where(
                LessonProgress.user_id == member_id, LessonProgress.completed_at.is_not(None)
            )
        ),
        "completion statements": db.session.scalar(
            select(func.count(Statement.id)).where(
                Statement.user_id == member_id, Statement.verb == "completed"
            )
        ),
        "ledger entries": db.session.scalar(
            select(func.count(HourEntry.id)).where(HourEntry.user_id == member_id)
        ),
        "certificates": db.session.scalar(
            select(func.count(Certificate.id)).where(Certificate.user_id == member_id)
        ),
    }


def crash_after(monkeypatch, module, name: str, when=lambda *args, **kwargs: True) -> None:
    """Make ``module.name`` do its work, then crash (when ``when`` says so for its arguments)."""
    original = getattr(module, name)

    def crashing(*args, **kwargs):
        result = original(*args, **kwargs)
        if when(*args, **kwargs):
            raise Crash(name)
        return result

    monkeypatch.setattr(module, name, crashing)


def crash_before(monkeypatch, module, name: str) -> None:
    def crashing(*args, **kwargs):
        raise Crash(name)

    monkeypatch.setattr(module, name, crashing)


STEPS = {
    "after the statement": lambda mp: crash_after(
        mp,
        completion_lessons,
        "add_statement",
        lambda _user, verb, object_type, *rest, **kw: verb == "completed",
    ),
    "after the lesson credit": lambda mp: crash_after(
        mp, ledger, "credit", lambda _member, kind, *rest, **kw: kind is SourceKind.LESSON
    ),
    "after the course credit": lambda mp: crash_after(
        mp, ledger, "credit", lambda _member, kind, *rest, **kw: kind is SourceKind.COURSE
    ),
    "before the certificate": lambda mp: crash_before(mp, certificates, "issue_certificate"),
}
# The lesson credit exists under the time-band rule, the course credit under the course-hours rule.
CASES = [
    (RuleKind.TIME_BANDS, "after the statement"),
    (RuleKind.TIME_BANDS, "after the lesson credit"),
    (RuleKind.TIME_BANDS, "before the certificate"),
    (RuleKind.COURSE_HOURS, "after the statement"),
    (RuleKind.COURSE_HOURS, "after the course credit"),
    (RuleKind.COURSE_HOURS, "before the certificate"),
]


@pytest.mark.parametrize(("rule", "step"), CASES)
def test_a_crash_at_any_step_of_a_completion_leaves_nothing_and_the_next_heartbeat_completes_it_whole(
    app, world, monkeypatch, rule, step
):
    with app.app_context():
        member = user_named("member_a")
        ledger.set_rule(member.unit, rule, None)
        lesson = make_video_lesson(
            duration=20
        )  # the course's only lesson: completing it completes the course
        start = utcnow()
        session = heartbeats.open_session(member, lesson, now=start)
        heartbeats.heartbeat(
            member, lesson.id, {"start": 0, "end": 10, "session": session}, start + timedelta(seconds=10)
        )
        nothing = record_of(member.id)

        with monkeypatch.context() as patched:
            STEPS[step](patched)
            with pytest.raises(Crash):
                heartbeats.heartbeat(
                    member,
                    lesson.id,
                    {"start": 10, "end": 20, "session": session},
                    start + timedelta(seconds=20),
                )
        db.session.rollback()  # what the request's teardown does with a failed request's session
        assert (
            record_of(member.id)
            == nothing
            == {
                "completed lessons": 0,
                "completion statements": 0,
                "ledger entries": 0,
                "certificates": 0,
            }
        )

        figures = heartbeats.heartbeat(
            member, lesson.id, {"start": 10, "end": 20, "session": session}, start + timedelta(seconds=30)
        )
        assert figures.completed
        assert record_of(member.id) == {
            "completed lessons": 1,
            "completion statements": 2,  # the lesson's and the course's
            "ledger entries": 1,  # the lesson's hours (time bands) or the course's (course hours)
            "certificates": 1,
        }


def test_a_crash_while_a_submission_completes_its_lesson_leaves_the_attempt_open(app, world, monkeypatch):
    with app.app_context():
        member = user_named("member_a")
        quiz, lesson = quiz_lesson_course()
        attempt = attempts.start_attempt(quiz, member)
        with monkeypatch.context() as patched:
            crash_before(patched, certificates, "issue_certificate")
            with pytest.raises(Crash):
                attempts.submit_attempt(attempt, member, right_answers(attempt), attempt.revision)
        db.session.rollback()
        db.session.refresh(attempt)
        assert attempt.status is AttemptStatus.OPEN and not services.is_completed(member, lesson)
        attempts.submit_attempt(attempt, member, right_answers(attempt), attempt.revision)
        assert services.is_completed(member, lesson) and record_of(member.id)["certificates"] == 1


# --- quiz outcomes reach progress on every path ----------------------------------------------------


def quiz_lesson_course(questions=None, **quiz_settings):
    """A published course whose only lesson is a quiz lesson (rule: passed) on a new quiz."""
    quiz = make_quiz(questions or [single()], **quiz_settings)
    course = make_course("quiz-course", lessons=(("quiz", LessonKind.QUIZ, 10, CompletionRule.PASSED),))
    lesson = lesson_of(course, "quiz")
    lesson.quiz_id = quiz.id
    db.session.commit()
    return quiz, lesson


def overdue_right_attempt(member):
    """A 10-minute quiz lesson, and the member's attempt at it started 30 minutes ago with the right
    answers saved then, never submitted: overdue, waiting for someone to close it."""
    quiz, lesson = quiz_lesson_course(time_limit_minutes=10)
    started = utcnow() - timedelta(minutes=30)
    attempt = attempts.start_attempt(quiz, member, now=started)
    attempts.save_answers(attempt, member, right_answers(attempt), attempt.revision, now=started)
    return quiz, lesson, attempt


def right_answers(attempt) -> dict:
    """The single-choice question's right option (index 0 in the bank, options not shuffled)."""
    return {str(item["question_id"]): 0 for item in attempt.snapshot}


def exam_hours(member_id: int, lesson_id: int):
    return db.session.scalar(
        select(HourEntry.hours).where(
            HourEntry.user_id == member_id,
            HourEntry.source_kind == SourceKind.EXAM,
            HourEntry.source_id == lesson_id,
        )
    )


@pytest.fixture
def time_bands(app, world):
    """Exams credit their own hours under the time-band rule, in force since yesterday (the attempts
    below finish in the past, and a completion counts under the rule in force when it happened)."""
    with app.app_context():
        member = user_named("member_a")
        rule = ledger.set_rule(member.unit, RuleKind.TIME_BANDS, None, exam_hours="0.5")
        rule.created_at = utcnow() - timedelta(days=1)
        db.session.commit()


def test_submitting_completes_the_quiz_lesson_and_credits_the_exam_without_any_page(app, world, time_bands):
    with app.app_context():
        member = user_named("member_a")
        quiz, lesson = quiz_lesson_course()
        attempt = attempts.start_attempt(quiz, member)
        attempts.submit_attempt(attempt, member, right_answers(attempt), attempt.revision)
        assert services.is_completed(member, lesson)
        assert exam_hours(member.id, lesson.id) == Decimal("0.5")


def test_the_worker_closing_an_overdue_attempt_completes_its_lesson(app, world, time_bands):
    with app.app_context():
        member = user_named("member_a")
        _quiz, lesson, attempt = overdue_right_attempt(member)
        assert not services.is_completed(member, lesson)
        quiz_jobs.close_overdue.call_local()  # the every-minute job of `flask worker`
        db.session.refresh(attempt)
        assert attempt.status is AttemptStatus.FINISHED and attempt.finished_at == attempt.deadline
        assert services.is_completed(member, lesson)
        assert exam_hours(member.id, lesson.id) == Decimal("0.5")


def test_any_request_touching_an_overdue_attempt_closes_it_and_completes_its_lesson(
    app, world, time_bands, client, auth
):
    with app.app_context():
        member = user_named("member_a")
        quiz, lesson, _attempt = overdue_right_attempt(member)
        quiz_id, lesson_id = quiz.id, lesson.id
    auth.login("member_a")
    assert client.get(f"/quizzes/{quiz_id}").status_code == 200  # the quiz page, not the review
    with app.app_context():
        assert services.is_completed(user_named("member_a"), db.session.get(Lesson, lesson_id))
        assert exam_hours(world.member_a, lesson_id) == Decimal("0.5")


def test_an_api_save_after_the_deadline_closes_the_attempt_and_completes_its_lesson(
    app, world, time_bands, client, auth
):
    with app.app_context():
        member = user_named("member_a")
        _quiz, lesson, attempt = overdue_right_attempt(member)
        attempt_id, revision, lesson_id = attempt.id, attempt.revision, lesson.id
        [item] = attempt.snapshot
    auth.login("member_a")
    token = csrf_token(client, "/")
    response = client.post(
        f"/api/v1/quizzes/attempts/{attempt_id}/answers",
        json={"revision": revision, "fields": [[f"q-{item['question_id']}", "1"]]},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 409 and response.get_json()["reason"] == "closed"
    with app.app_context():
        assert services.is_completed(user_named("member_a"), db.session.get(Lesson, lesson_id))
        assert exam_hours(world.member_a, lesson_id) == Decimal("0.5")


def test_an_essay_graded_later_completes_the_lesson_then(app, world, time_bands):
    with app.app_context():
        member, trainer = user_named("member_a"), user_named("trainer")
        quiz, lesson = quiz_lesson_course([essay()])
        attempt = attempts.start_attempt(quiz, member)
        [item] = attempt.snapshot
        attempts.submit_attempt(
            attempt, member, {str(item["question_id"]): "不忘初心，牢记使命。"}, attempt.revision
        )
        assert attempt.needs_grading and not services.is_completed(member, lesson)
        [response] = attempts.pending_essays(quiz)
        attempts.grade_essay(response, 1.0, trainer, "很好")
        assert services.is_completed(member, lesson)
        assert exam_hours(member.id, lesson.id) == Decimal("0.5")


def test_a_regrade_that_fails_an_essay_does_not_complete_the_lesson(app, world, time_bands):
    with app.app_context():
        member, trainer = user_named("member_a"), user_named("trainer")
        quiz, lesson = quiz_lesson_course([essay()])
        attempt = attempts.start_attempt(quiz, member)
        [item] = attempt.snapshot
        attempts.submit_attempt(attempt, member, {str(item["question_id"]): "不知道"}, attempt.revision)
        [response] = attempts.pending_essays(quiz)
        attempts.grade_essay(response, 0.2, trainer)
        assert attempt.passed is False and not services.is_completed(member, lesson)
        attempts.grade_essay(response, 0.9, trainer, "复核后改为通过")  # regraded
        assert services.is_completed(member, lesson)


def test_one_attempt_that_cannot_be_closed_does_not_keep_the_others_open(app, world, monkeypatch):
    with app.app_context():
        quiz, _lesson = quiz_lesson_course(time_limit_minutes=10)
        started = utcnow() - timedelta(minutes=30)
        for name in ("member_a", "member_b"):
            attempts.start_attempt(quiz, user_named(name), now=started)
        real = services.quiz_outcome

        def failing_for_member_a(member, *args):
            if member.username == "member_a":
                raise Crash("quiz_outcome")
            return real(member, *args)

        monkeypatch.setattr(completion_evidence, "quiz_outcome", failing_for_member_a)
        assert attempts.close_overdue_attempts() == 1
        states = {a.member.username: a.status for a in attempts.attempts_of(quiz, user_named("member_a"))}
        states |= {a.member.username: a.status for a in attempts.attempts_of(quiz, user_named("member_b"))}
        assert states == {"member_a": AttemptStatus.OPEN, "member_b": AttemptStatus.FINISHED}
