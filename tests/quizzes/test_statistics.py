"""Trainer statistics: facility, discrimination, most missed, results export."""

import io
from datetime import timedelta

from openpyxl import load_workbook

from app.quizzes.services import attempts, statistics
from tests.factories.auth import make_user
from tests.factories.quizzes import T0, make_quiz


def take(quiz, member, right: set[int]):
    """Answer the default quiz, getting question positions in ``right`` right."""
    attempt = attempts.start_attempt(quiz, member, now=T0)
    first, second, third = (item["question_id"] for item in attempt.snapshot)
    answers = {
        str(first): 0 if 0 in right else 1,
        str(second): [0, 1] if 1 in right else [2],
        str(third): "1921" if 2 in right else "1949",
    }
    attempts.submit_attempt(attempt, member, answers, attempt.revision, now=T0)


def test_facility_and_discrimination_put_the_most_missed_question_first(app):
    with app.app_context():
        quiz = make_quiz(attempts_allowed=1)
        # Strong members get everything right, weak ones only the easy first question.
        for name, right in [("a", {0, 1, 2}), ("b", {0, 1, 2}), ("c", {0, 1}), ("d", {0}), ("e", {0})]:
            take(quiz, make_user(f"member_{name}"), right)
        stats = statistics.question_statistics(quiz)
        titles = [quiz.slots[i].question.title for i in range(3)]
        assert [s.title for s in stats] == [titles[2], titles[1], titles[0]]
        assert [s.facility for s in stats] == [0.4, 0.6, 1.0]
        assert stats[0].discrimination > 0.5
        assert stats[2].discrimination is None  # everyone right: it tells nobody apart
        rows = statistics.results_rows(quiz)
        assert [row[1] for row in rows] == ["member_a", "member_b", "member_c", "member_d", "member_e"]
        assert rows[0][5:] == [3.0, 3.0, 100.0, "通过"]
        sheet = load_workbook(io.BytesIO(statistics.results_workbook(quiz))).active
        assert [cell.value for cell in sheet[1]] == statistics.RESULT_HEADERS
        assert sheet.max_row == 6


def test_results_show_attempt_times_in_beijing_time_like_every_other_page(app):
    with app.app_context():
        quiz = make_quiz(attempts_allowed=1)
        take(quiz, make_user("member_a"), {0})
        (row,) = statistics.results_rows(quiz)
        shown = (T0 + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")  # stored UTC, shown UTC+8
        assert row[3] == shown and row[4] == shown
