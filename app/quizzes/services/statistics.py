"""Trainer statistics over finished attempts: facility, discrimination, most missed, results."""

import math
from dataclasses import dataclass
from datetime import datetime

from flask_babel import to_user_timezone
from openpyxl.styles import Font
from sqlalchemy import Row, select

from app.auth.models import User
from app.extensions import db
from app.quizzes.models import Attempt, AttemptStatus, Question, Quiz, Response
from app.spreadsheets import new_workbook, workbook_bytes


@dataclass
class QuestionStatistics:
    question_id: int
    title: str
    answered: int
    facility: float  # mean share of the marks earned: 1.0 everyone right, 0.0 nobody
    discrimination: float | None  # correlation with the rest of the attempt's score (-1 … 1)


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x == 0 or var_y == 0:
        return None
    return round(cov / math.sqrt(var_x * var_y), 3)


def question_statistics(quiz: Quiz) -> list[QuestionStatistics]:
    """Per question of finished attempts, most missed first.

    Discrimination is the correlation between a question's share and the score on the rest of the
    attempt: well above 0 means those who do well overall get it right.
    """
    rows = db.session.execute(
        select(Response.question_id, Response.fraction, Attempt.score, Question.title, Question.mark)
        .join(Attempt, Response.attempt_id == Attempt.id)
        .join(Question, Response.question_id == Question.id)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.status == AttemptStatus.FINISHED,
            Attempt.needs_grading.is_(False),
            Response.fraction.is_not(None),
            Question.mark > 0,
        )
    ).all()
    by_question: dict[int, list[Row[int, float | None, float | None, str, float]]] = {}
    for row in rows:
        by_question.setdefault(row.question_id, []).append(row)
    result = []
    for question_id, answers in by_question.items():
        fractions = [row.fraction for row in answers]
        rest = [(row.score or 0) - row.fraction * row.mark for row in answers]
        result.append(
            QuestionStatistics(
                question_id=question_id,
                title=answers[0].title,
                answered=len(answers),
                facility=round(sum(fractions) / len(fractions), 3),
                discrimination=_pearson(fractions, rest),
            )
        )
    return sorted(result, key=lambda stat: (stat.facility, stat.question_id))


RESULT_HEADERS = [
    "姓名",
    "用户名/工号",
    "次数",
    "开始时间(UTC)",
    "交卷时间(UTC)",
    "得分",
    "满分",
    "得分率%",
    "是否通过",
]


def _shown(at: datetime | None) -> str:
    """A stored (naive UTC) time as the site shows every time: in the display time zone (Beijing);
    empty when there is none (a finished attempt always has its time)."""
    return "" if at is None else to_user_timezone(at).strftime("%Y-%m-%d %H:%M:%S")


def results_rows(quiz: Quiz) -> list[list[object]]:
    attempts = db.session.execute(
        select(Attempt, User)
        .join(User, Attempt.member_id == User.id)
        .where(Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.FINISHED)
        .order_by(User.username, Attempt.number)
    ).all()
    rows = []
    for attempt, member in attempts:
        percent = round(100 * (attempt.score or 0) / attempt.max_score, 1) if attempt.max_score else None
        passed = "待评分" if attempt.passed is None else ("通过" if attempt.passed else "未通过")
        rows.append(
            [
                member.display_name,
                member.username,
                attempt.number,
                _shown(attempt.started_at),
                _shown(attempt.finished_at),
                attempt.score,
                attempt.max_score,
                percent,
                passed,
            ]
        )
    return rows


def results_workbook(quiz: Quiz) -> bytes:
    workbook, sheet = new_workbook("成绩")
    sheet.append(RESULT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in results_rows(quiz):
        sheet.append(row)
    return workbook_bytes(workbook)
