"""Attempts: the server's clock, one open attempt, snapshots, grading and refused tampering."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.quizzes.errors import AttemptClosedError, QuizError, StaleAttemptError, TamperedResponseError
from app.quizzes.models import Attempt, AttemptStatus, QuestionKind, QuizMode, Response, RevealPolicy
from app.quizzes.services import attempts, banks, quizzes
from tests.factories.quizzes import T0, blank, essay, make_bank, make_quiz, single, user


def ids(attempt):
    return [item["question_id"] for item in attempt.snapshot]


def right_answers(attempt):
    """The answers that earn full marks on make_quiz's default questions."""
    first, second, third = ids(attempt)
    return {str(first): 0, str(second): [0, 1], str(third): "１９２１"}


def test_a_submitted_attempt_is_graded_on_the_server(app, people):
    with app.app_context():
        quiz = make_quiz(pass_mark=60)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        attempts.submit_attempt(
            attempt, member, right_answers(attempt), attempt.revision, now=T0 + timedelta(minutes=1)
        )
        assert attempt.status is AttemptStatus.FINISHED
        assert (attempt.score, attempt.max_score, attempt.passed) == (3.0, 3.0, True)
        assert attempts.member_passed(quiz.id, member.id)
        assert not attempts.member_passed(quiz.id, people["other"])


def test_partial_answers_score_partially_and_fail_below_the_pass_mark(app, people):
    with app.app_context():
        quiz = make_quiz(pass_mark=60)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        first, second, third = ids(attempt)
        answers = {str(first): 1, str(second): [0], str(third): "1922"}
        attempts.submit_attempt(attempt, member, answers, attempt.revision, now=T0)
        assert (attempt.score, attempt.passed) == (0.5, False)


def test_starting_twice_resumes_the_one_open_attempt(app, people):
    with app.app_context():
        quiz = make_quiz(attempts_allowed=3)
        member = user(people["member"])
        first = attempts.start_attempt(quiz, member, now=T0)
        again = attempts.start_attempt(quiz, member, now=T0 + timedelta(minutes=5))
        assert again.id == first.id
        assert db.session.scalar(select(db.func.count(Attempt.id))) == 1


def test_saved_answers_survive_and_resume(app, people):
    with app.app_context():
        quiz = make_quiz(time_limit_minutes=30)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        first = ids(attempt)[0]
        revision = attempts.save_answers(attempt, member, {str(first): 2}, attempt.revision, now=T0)
        db.session.expire_all()
        resumed = attempts.start_attempt(quiz, member, now=T0 + timedelta(minutes=10))
        assert resumed.id == attempt.id and resumed.revision == revision
        saved = {q["id"]: q["saved"] for q in attempts.page_questions(resumed)}
        assert saved[first] == 2


def test_the_deadline_is_the_earlier_of_time_limit_and_closing_time(app, people):
    with app.app_context():
        quiz = make_quiz(time_limit_minutes=60, closes_at=T0 + timedelta(minutes=20))
        attempt = attempts.start_attempt(quiz, user(people["member"]), now=T0)
        assert attempt.deadline == T0 + timedelta(minutes=20)
        other = attempts.start_attempt(quiz, user(people["other"]), now=T0 - timedelta(hours=2))
        assert other.deadline == T0 - timedelta(hours=1)


def test_a_save_one_second_before_the_deadline_counts_and_one_at_the_deadline_does_not(app, people):
    with app.app_context():
        quiz = make_quiz(time_limit_minutes=10)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        first = str(ids(attempt)[0])
        deadline = T0 + timedelta(minutes=10)
        revision = attempts.save_answers(
            attempt, member, {first: 0}, attempt.revision, now=deadline - timedelta(seconds=1)
        )
        with pytest.raises(AttemptClosedError):
            attempts.save_answers(attempt, member, {first: 1}, revision, now=deadline)
        assert attempt.status is AttemptStatus.FINISHED
        assert attempt.finished_at == deadline
        response = next(r for r in attempt.responses if str(r.question_id) == first)
        assert response.response == 0 and response.fraction == 1.0


def test_answers_after_the_deadline_are_ignored_and_the_attempt_closes_at_the_deadline(app, people):
    with app.app_context():
        quiz = make_quiz(time_limit_minutes=10)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        late = T0 + timedelta(minutes=45)
        with pytest.raises(AttemptClosedError):
            attempts.submit_attempt(attempt, member, right_answers(attempt), attempt.revision, now=late)
        assert attempt.finished_at == T0 + timedelta(minutes=10)
        assert attempt.score == 0.0
        assert all(r.response is None for r in attempt.responses)


def test_an_expired_attempt_is_closed_when_the_member_comes_back(app, people):
    with app.app_context():
        quiz = make_quiz(time_limit_minutes=10, attempts_allowed=2)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        second = attempts.start_attempt(quiz, member, now=T0 + timedelta(hours=1))
        assert second.id != attempt.id and second.number == 2
        db.session.refresh(attempt)
        assert attempt.status is AttemptStatus.FINISHED and attempt.finished_at == T0 + timedelta(minutes=10)


def test_an_attempt_beyond_the_limit_is_refused(app, people):
    with app.app_context():
        quiz = make_quiz(attempts_allowed=1)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        attempts.submit_attempt(attempt, member, {}, attempt.revision, now=T0)
        with pytest.raises(QuizError):
            attempts.start_attempt(quiz, member, now=T0 + timedelta(minutes=1))
        assert db.session.scalar(select(db.func.count(Attempt.id))) == 1


def test_answers_to_a_question_not_in_the_attempt_change_nothing(app, people):
    with app.app_context():
        bank = make_bank()
        outsider = banks.add_question(bank, single("不在试卷里的题"))
        quiz = make_quiz()
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        first = str(ids(attempt)[0])
        with pytest.raises(TamperedResponseError):
            attempts.save_answers(attempt, member, {first: 0, str(outsider.id): 0}, attempt.revision, now=T0)
        db.session.expire_all()
        assert attempt.revision == 0
        assert all(r.response is None for r in attempt.responses)


def test_another_members_attempt_cannot_be_saved_or_submitted(app, people):
    with app.app_context():
        quiz = make_quiz()
        attempt = attempts.start_attempt(quiz, user(people["member"]), now=T0)
        other = user(people["other"])
        with pytest.raises(TamperedResponseError):
            attempts.submit_attempt(attempt, other, right_answers(attempt), attempt.revision, now=T0)
        db.session.expire_all()
        assert attempt.status is AttemptStatus.OPEN and attempt.revision == 0


def test_a_stale_tab_cannot_overwrite_newer_answers(app, people):
    with app.app_context():
        quiz = make_quiz()
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        first = str(ids(attempt)[0])
        stale = attempt.revision
        attempts.save_answers(attempt, member, {first: 0}, stale, now=T0)  # the newer tab
        with pytest.raises(StaleAttemptError):
            attempts.submit_attempt(attempt, member, {first: 2}, stale, now=T0)  # the older tab
        db.session.expire_all()
        assert attempt.status is AttemptStatus.OPEN
        assert next(r for r in attempt.responses if str(r.question_id) == first).response == 0


def test_a_submit_racing_the_automatic_close_never_overwrites_the_finished_attempt(app, people):
    with app.app_context():
        quiz = make_quiz(time_limit_minutes=10)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        revision = attempt.revision
        # Another worker closes the attempt behind this session's back (our copy still says "open").
        with db.engine.begin() as connection:
            connection.execute(
                update(Attempt.__table__)
                .where(Attempt.__table__.c.id == attempt.id)
                .values(
                    status="finished",
                    finished_at=T0 + timedelta(minutes=10),
                    score=0.0,
                    revision=revision + 1,
                )
            )
        assert attempt.status is AttemptStatus.OPEN
        with pytest.raises(AttemptClosedError):
            attempts.submit_attempt(
                attempt, member, right_answers(attempt), revision, now=T0 + timedelta(minutes=9)
            )
        db.session.expire_all()
        assert (attempt.status, attempt.score, attempt.finished_at) == (
            AttemptStatus.FINISHED,
            0.0,
            T0 + timedelta(minutes=10),
        )
        assert all(r.response is None for r in attempt.responses)


def test_a_second_submit_changes_nothing(app, people):
    with app.app_context():
        quiz = make_quiz()
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        attempts.submit_attempt(attempt, member, right_answers(attempt), attempt.revision, now=T0)
        with pytest.raises(AttemptClosedError):
            attempts.submit_attempt(attempt, member, {}, attempt.revision, now=T0)
        assert attempt.score == 3.0


def test_random_draw_takes_n_per_category_into_a_snapshot(app, people):
    with app.app_context():
        bank = make_bank()
        for number in range(5):
            banks.add_question(bank, single(f"党章题{number}", category="党章/总纲"))
        for _number in range(3):
            banks.add_question(bank, blank(category="党史"))
        quiz = make_quiz(mode=QuizMode.RANDOM) if False else None
        settings = quizzes.QuizSettings(title="随机卷", mode=QuizMode.RANDOM, shuffle_questions=True)
        quiz = quizzes.create_quiz(settings, created_by=None)
        categories = {c.path: c for c in bank.categories}
        quizzes.add_draw_rule(quiz, categories["党章"], 2)  # includes the sub-category 党章/总纲
        quizzes.add_draw_rule(quiz, categories["党史"], 1)
        quizzes.update_quiz(quiz, quizzes.QuizSettings(**{**vars(settings), "published": True}))
        attempt = attempts.start_attempt(quiz, user(people["member"]), now=T0, rng=random.Random(4))
        kinds = sorted(item["kind"] for item in attempt.snapshot)
        assert kinds == ["shortanswer", "single", "single"]
        assert len(set(ids(attempt))) == 3


def test_a_random_quiz_cannot_be_published_when_a_category_has_too_few_questions(app):
    with app.app_context():
        bank = make_bank()
        banks.add_question(bank, single(category="党章"))
        settings = quizzes.QuizSettings(title="随机卷", mode=QuizMode.RANDOM)
        quiz = quizzes.create_quiz(settings, created_by=None)
        quizzes.add_draw_rule(quiz, bank.categories[0], 5)
        with pytest.raises(QuizError):
            quizzes.update_quiz(quiz, quizzes.QuizSettings(**{**vars(settings), "published": True}))


def test_the_snapshot_keeps_the_question_as_it_was_when_drawn(app, people):
    with app.app_context():
        quiz = make_quiz()
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        question = quiz.slots[0].question
        question.answers = [{**a, "fraction": 1.0 - a["fraction"]} for a in question.answers][:2]
        db.session.commit()
        attempts.submit_attempt(attempt, member, right_answers(attempt), attempt.revision, now=T0)
        assert attempt.score == 3.0


def test_essays_wait_for_a_trainer_and_then_decide_the_pass(app, people):
    with app.app_context():
        quiz = make_quiz([single(), essay()], pass_mark=75)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        first, second = ids(attempt)
        attempts.submit_attempt(
            attempt, member, {str(first): 0, str(second): "不忘初心"}, attempt.revision, now=T0
        )
        assert attempt.needs_grading and attempt.passed is None
        pending = attempts.pending_essays(quiz)
        assert [r.response for r in pending] == ["不忘初心"]
        attempts.grade_essay(pending[0], 0.5, user(people["trainer"]), "还可以")
        assert (attempt.score, attempt.needs_grading, attempt.passed) == (1.5, False, True)


@pytest.mark.parametrize(
    ("policy", "closes_in", "score", "answers"),
    [
        (RevealPolicy.AFTER_SUBMIT, None, True, True),
        (RevealPolicy.AFTER_CLOSE, 60, True, False),
        (RevealPolicy.AFTER_CLOSE, -1, True, True),
        (RevealPolicy.SCORE_ONLY, None, True, False),
        (RevealPolicy.NEVER, None, False, False),
    ],
)
def test_the_review_follows_the_reveal_policy(app, people, policy, closes_in, score, answers):
    with app.app_context():
        closes = T0 + timedelta(minutes=60)
        quiz = make_quiz(reveal=policy, closes_at=closes)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0)
        attempts.submit_attempt(attempt, member, right_answers(attempt), attempt.revision, now=T0)
        now = closes - timedelta(minutes=closes_in) if closes_in else closes + timedelta(minutes=1)
        reveal = attempts.reveal_for(attempt, now=now if closes_in != 60 else T0)
        assert (reveal.score, reveal.answers) == (score, answers)
        rows = attempts.review_questions(attempt, reveal)
        assert ("correct" in rows[0]) is answers


def test_responses_are_stored_per_question(app, people):
    with app.app_context():
        quiz = make_quiz()
        attempt = attempts.start_attempt(quiz, user(people["member"]), now=T0)
        assert db.session.scalar(select(db.func.count(Response.id))) == 3
        assert {item["kind"] for item in attempt.snapshot} == {"single", "multiple", "shortanswer"}
        assert QuestionKind.SINGLE.value in {item["kind"] for item in attempt.snapshot}


def test_shuffled_options_keep_their_identity_so_grading_is_unchanged(app, people):
    with app.app_context():
        quiz = make_quiz(shuffle_options=True, shuffle_questions=True)
        member = user(people["member"])
        attempt = attempts.start_attempt(quiz, member, now=T0, rng=random.Random(7))
        orders = [item["order"] for item in attempt.snapshot if item["kind"] in ("single", "multiple")]
        assert all(sorted(order) == list(range(len(order))) for order in orders)
        assert any(order != sorted(order) for order in orders)
        shown = {q["id"]: [o["id"] for o in q.get("options", [])] for q in attempts.page_questions(attempt)}
        assert all(shown[item["question_id"]] == item["order"] for item in attempt.snapshot if item["order"])
        answers = {}
        for item in attempt.snapshot:
            if item["kind"] == "single":
                answers[str(item["question_id"])] = 0  # the option's own id, wherever it is shown
            elif item["kind"] == "multiple":
                answers[str(item["question_id"])] = [0, 1]
            else:
                answers[str(item["question_id"])] = "1921"
        attempts.submit_attempt(attempt, member, answers, attempt.revision, now=T0)
        assert attempt.score == 3.0
