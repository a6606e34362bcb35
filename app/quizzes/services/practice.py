"""每日一练 daily practice: a few random questions from published banks, explained at once.

Nothing is stored: practice never touches attempts, grades or hours.
"""

import random
from collections.abc import Mapping

from sqlalchemy import Select, select

from app.extensions import db
from app.quizzes.answers import ResponseValue, SnapshotItem
from app.quizzes.kinds import FULL_MARKS, get_kind, kind_names
from app.quizzes.models import Category, Question, QuestionBank
from app.quizzes.services.attempts import snapshot_item

PRACTICE_SIZE = 5


def _published_questions() -> Select[Question]:
    return (
        select(Question)
        .join(Category, Question.category_id == Category.id)
        .join(QuestionBank, Category.bank_id == QuestionBank.id)
        # The kinds graded at once (not essays, not descriptions).
        .where(QuestionBank.published.is_(True), Question.kind.in_(kind_names(lambda kind: kind.graded)))
    )


def draw_practice(count: int = PRACTICE_SIZE, rng: random.Random | None = None) -> list[SnapshotItem]:
    """Draw up to ``count`` questions from the published banks, as page items."""
    rng = rng or random.SystemRandom()
    ids = list(db.session.scalars(_published_questions().with_only_columns(Question.id)))
    chosen = rng.sample(ids, min(count, len(ids)))
    by_id = {q.id: q for q in db.session.scalars(_published_questions().where(Question.id.in_(chosen)))}
    return [snapshot_item(by_id[qid], True, rng) for qid in chosen]


def practice_items(question_ids: list[int]) -> list[SnapshotItem] | None:
    """The practice questions a page showed, or None when any is not in a published bank."""
    by_id = {q.id: q for q in db.session.scalars(_published_questions().where(Question.id.in_(question_ids)))}
    if not question_ids or set(question_ids) != set(by_id):
        return None
    rng = random.Random(0)
    return [snapshot_item(by_id[qid], False, rng) for qid in question_ids]


def check_practice(
    items: list[SnapshotItem], cleaned: Mapping[int, ResponseValue]
) -> list[dict[str, object]]:
    """Grade practice answers and explain each one; nothing is written."""
    rows = []
    for number, item in enumerate(items, start=1):
        kind = get_kind(item["kind"])
        response = cleaned.get(item["question_id"])
        fraction = kind.grade(item["answers"], response)
        rows.append(
            {
                "number": number,
                "text": item["text"],
                "format": item["format"],
                "given": kind.describe(item, response),
                "right": fraction is not None and fraction >= FULL_MARKS,
                "correct": kind.correct_answer(item["answers"]),
                "feedback": kind.feedback(item["answers"], response),
                "general_feedback": item["general_feedback"],
            }
        )
    return rows
