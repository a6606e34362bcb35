"""Attempts. The server's clock is the only clock, and every rule is enforced here.

Every function that reads or writes an attempt takes ``now`` (tests inject the clock) and first
calls ``enforce_deadline``: the one place where an attempt past its deadline is closed, at the
deadline, with the answers saved before it. Writes are compare-and-set updates on the attempt's
status and revision, so a submit racing the automatic close, or a stale tab, never overwrites a
finished attempt or newer answers.

An attempt that finishes (submitted or closed at its deadline) or is graded is announced to the
``attempt_finished`` listeners in the same transaction, so its outcome reaches progress on every
path. The public operations (``start_attempt``, ``save_answers``, ``submit_attempt``,
``close_if_overdue``, ``close_overdue_attempts``, ``grade_essay``) commit once; the rest flush.
"""

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, select, update

from app.auth.models import User
from app.extensions import db, insert_unless_taken
from app.quizzes.answers import ResponseValue, SnapshotItem
from app.quizzes.errors import AttemptClosedError, QuizError, StaleAttemptError, TamperedResponseError
from app.quizzes.events import announce_attempt_finished
from app.quizzes.kinds import FULL_MARKS, ResponseError, get_kind
from app.quizzes.models import (
    Attempt,
    AttemptStatus,
    Question,
    Quiz,
    QuizMode,
    Response,
    RevealPolicy,
)
from app.quizzes.services.quizzes import category_question_ids
from app.timeutil import utcnow

log = logging.getLogger(__name__)

# --- the deadline: one place -----------------------------------------------------------------


def deadline_for(quiz: Quiz, started_at: datetime) -> datetime | None:
    """The effective deadline: the earlier of start + time limit and the quiz's closing time."""
    candidates = []
    if quiz.time_limit_minutes:
        candidates.append(started_at + timedelta(minutes=quiz.time_limit_minutes))
    if quiz.closes_at:
        candidates.append(quiz.closes_at)
    return min(candidates) if candidates else None


def enforce_deadline(attempt: Attempt, now: datetime) -> bool:
    """Close an open attempt whose deadline has passed, at its deadline (in the caller's
    transaction); return whether it is closed."""
    if attempt.status is AttemptStatus.OPEN and attempt.deadline is not None and now >= attempt.deadline:
        _finish(attempt, attempt.deadline)
    return attempt.status is AttemptStatus.FINISHED


def close_if_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """A request touched the attempt: close it if its deadline passed (committed); return whether
    it is closed."""
    closed = enforce_deadline(attempt, now or utcnow())
    db.session.commit()
    return closed


def close_overdue_attempts(now: datetime | None = None) -> int:
    """Close every open attempt whose deadline has passed, each as its own event; return how many.

    The worker runs this every minute, so an attempt nobody looks at again still finishes (and its
    lesson is completed) soon after its deadline.
    """
    now = now or utcnow()
    overdue = db.session.scalars(
        select(Attempt.id).where(
            Attempt.status == AttemptStatus.OPEN, Attempt.deadline.is_not(None), Attempt.deadline <= now
        )
    ).all()
    closed = 0
    for attempt_id in overdue:
        try:
            attempt = db.session.get(Attempt, attempt_id)
            if (
                attempt is not None
                and attempt.status is AttemptStatus.OPEN
                and enforce_deadline(attempt, now)
            ):
                closed += 1
            db.session.commit()
        except Exception:  # one attempt that cannot be closed must not keep the others open
            db.session.rollback()
            log.exception("could not close overdue attempt %s", attempt_id)
    return closed


def seconds_left(attempt: Attempt, now: datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


# --- starting --------------------------------------------------------------------------------


def open_attempt(quiz: Quiz, member: User) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.quiz_id == quiz.id, Attempt.member_id == member.id, Attempt.status == AttemptStatus.OPEN
        )
    )


def attempts_of(quiz: Quiz, member: User) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.member_id == member.id)
            .order_by(Attempt.number)
        )
    )


def member_passed(quiz_id: int, member_id: int) -> bool:
    """Whether the member has a finished, passing attempt: what a quiz lesson or final exam asks."""
    return bool(
        db.session.scalar(
            select(func.count(Attempt.id)).where(
                Attempt.quiz_id == quiz_id,
                Attempt.member_id == member_id,
                Attempt.status == AttemptStatus.FINISHED,
                Attempt.passed.is_(True),
            )
        )
    )


def attempts_left(quiz: Quiz, member: User) -> int | None:
    if not quiz.attempts_allowed:
        return None
    used = db.session.scalar(
        select(func.count(Attempt.id)).where(Attempt.quiz_id == quiz.id, Attempt.member_id == member.id)
    )
    return max(0, quiz.attempts_allowed - (used or 0))


def _draw(quiz: Quiz, rng: random.Random) -> list[Question]:
    if quiz.mode is QuizMode.FIXED:
        questions = [slot.question for slot in quiz.slots]
    else:
        chosen: list[int] = []
        for rule in quiz.draw_rules:
            pool = [qid for qid in category_question_ids(rule.category) if qid not in chosen]
            chosen += rng.sample(pool, min(rule.count, len(pool)))
        by_id = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(chosen)))}
        questions = [by_id[qid] for qid in chosen]
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    return questions


def snapshot_item(question: Question, shuffle_options: bool, rng: random.Random) -> SnapshotItem:
    """A question as an attempt keeps it: later edits of the bank do not change a drawn question."""
    return {
        "question_id": question.id,
        "kind": str(question.kind),
        "title": question.title,
        "text": question.text,
        "format": question.format.value,
        "general_feedback": question.general_feedback,
        "answers": question.answers,
        "mark": question.mark,
        "order": get_kind(question.kind).option_order(question.answers, shuffle_options, rng),
    }


def _snapshot(quiz: Quiz, questions: list[Question], rng: random.Random) -> list[SnapshotItem]:
    return [snapshot_item(question, quiz.shuffle_options, rng) for question in questions]


def start_attempt(
    quiz: Quiz, member: User, now: datetime | None = None, rng: random.Random | None = None
) -> Attempt:
    """Resume the member's open attempt, or start a new one with a snapshot of drawn questions."""
    now = now or utcnow()
    rng = rng or random.SystemRandom()
    existing = open_attempt(quiz, member)
    if existing and not close_if_overdue(existing, now):
        return existing
    if not quiz.published:
        raise QuizError(_("This quiz is not open to members."))
    if quiz.opens_at and now < quiz.opens_at:
        raise QuizError(_("This quiz has not opened yet."))
    if quiz.closes_at and now >= quiz.closes_at:
        raise QuizError(_("This quiz has closed."))
    # The attempt's number decides the limit: the unique (quiz, member, number) key lets each number
    # exist once and a partial unique index lets one attempt per member be open, so concurrent starts
    # cannot open two attempts or more than the quiz allows (a count read first could be stale).
    number = 1 + (
        db.session.scalar(
            select(func.count(Attempt.id)).where(Attempt.quiz_id == quiz.id, Attempt.member_id == member.id)
        )
        or 0
    )
    if quiz.attempts_allowed and number > quiz.attempts_allowed:
        resumed = open_attempt(quiz, member)  # started a moment ago by a concurrent request
        if resumed is not None:
            return resumed
        raise QuizError(
            _("You have used all %(count)d attempts allowed for this quiz.", count=quiz.attempts_allowed)
        )
    snapshot = _snapshot(quiz, _draw(quiz, rng), rng)
    if not snapshot:
        raise QuizError(_("This quiz has no questions yet."))
    attempt_id = insert_unless_taken(
        Attempt,
        quiz_id=quiz.id,
        member_id=member.id,
        number=number,
        status=AttemptStatus.OPEN,
        started_at=now,
        deadline=deadline_for(quiz, now),
        snapshot=snapshot,
        max_score=sum(item["mark"] for item in snapshot),
    )
    if attempt_id is None:  # another request started an attempt of the member's at the same moment
        db.session.rollback()
        existing = open_attempt(quiz, member)
        if existing is None:
            raise QuizError(_("The quiz could not be started. Please try again.")) from None
        return existing
    for index, item in enumerate(snapshot):
        db.session.add(Response(attempt_id=attempt_id, question_id=item["question_id"], position=index))
    db.session.commit()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt is not None
    return attempt


# --- saving and submitting -------------------------------------------------------------------


def _check_owner(attempt: Attempt, member: User) -> None:
    if attempt.member_id != member.id:
        raise TamperedResponseError(_("This attempt belongs to someone else."))


def _closed_error(attempt: Attempt) -> AttemptClosedError:
    if attempt.deadline is not None and attempt.finished_at == attempt.deadline:
        return AttemptClosedError(
            _("Time is up: the attempt was closed at its deadline with the answers saved before it.")
        )
    return AttemptClosedError(_("This attempt has already been submitted; nothing more can be changed."))


def _clean(attempt: Attempt, answers: Mapping[str, object]) -> dict[int, ResponseValue]:
    return clean_answers(attempt.snapshot, answers)


def clean_answers(snapshot: list[SnapshotItem], answers: Mapping[str, object]) -> dict[int, ResponseValue]:
    """Check every answer against its question; one that does not fit refuses them all."""
    items = {str(item["question_id"]): item for item in snapshot}
    cleaned: dict[int, ResponseValue] = {}
    for key, raw in answers.items():
        item = items.get(str(key))
        if item is None:
            raise TamperedResponseError(
                _("The answers name a question that is not in this attempt. Nothing was saved.")
            )
        try:
            cleaned[item["question_id"]] = get_kind(item["kind"]).clean(item, raw)
        except ResponseError:
            raise TamperedResponseError(
                _("An answer does not fit its question. Nothing was saved.")
            ) from None
    return cleaned


def save_answers(
    attempt: Attempt, member: User, answers: Mapping[str, object], revision: int, now: datetime | None = None
) -> int:
    """Save answers if the attempt is open and ``revision`` is its latest; return the new revision."""
    now = now or utcnow()
    _check_owner(attempt, member)
    if close_if_overdue(attempt, now):
        raise _closed_error(attempt)
    new_revision = _save(attempt, answers, revision, now)
    db.session.commit()
    db.session.refresh(attempt)
    return new_revision


def _save(attempt: Attempt, answers: Mapping[str, object], revision: int, now: datetime) -> int:
    """Write the answers (flushed) if ``revision`` is still the attempt's; return the new revision."""
    cleaned = _clean(attempt, answers)
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN, Attempt.revision == revision)
        .values(revision=revision + 1),
        execution_options={"synchronize_session": False},
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        db.session.rollback()
        db.session.refresh(attempt)
        if attempt.status is AttemptStatus.FINISHED:
            raise _closed_error(attempt)
        raise StaleAttemptError(
            _(
                "These answers come from an older copy of the quiz page (another tab or window saved newer "
                "answers). Nothing from this page was saved: reload the page to continue with the latest answers."
            )
        )
    for response in attempt.responses:
        if response.question_id in cleaned:
            response.response = cleaned[response.question_id]
            response.saved_at = now
    db.session.flush()
    return revision + 1


def submit_attempt(
    attempt: Attempt, member: User, answers: Mapping[str, object], revision: int, now: datetime | None = None
) -> Attempt:
    """Save the last answers and finish the attempt (one transaction); a finished or stale attempt is
    left as it is."""
    now = now or utcnow()
    _check_owner(attempt, member)
    if close_if_overdue(attempt, now):
        raise _closed_error(attempt)
    new_revision = _save(attempt, answers, revision, now)
    if not _finish(attempt, now, expected_revision=new_revision):
        db.session.rollback()
        db.session.refresh(attempt)
        raise _closed_error(attempt)
    db.session.commit()
    return attempt


def _finish(attempt: Attempt, finished_at: datetime, expected_revision: int | None = None) -> bool:
    """Close and grade the attempt unless someone else closed it first (in the caller's transaction,
    announced to the ``attempt_finished`` listeners); return whether we did."""
    statement = update(Attempt).where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN)
    if expected_revision is not None:
        statement = statement.where(Attempt.revision == expected_revision)
    result = db.session.execute(
        statement.values(
            status=AttemptStatus.FINISHED, finished_at=finished_at, revision=Attempt.revision + 1
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(attempt)
    if cast(CursorResult[Any], result).rowcount != 1:
        return False
    items = {item["question_id"]: item for item in attempt.snapshot}
    for response in attempt.responses:
        item = items[response.question_id]
        kind = get_kind(item["kind"])
        response.fraction = kind.grade(item["answers"], response.response) if kind.graded else None
    _total(attempt)
    db.session.flush()
    announce_attempt_finished(attempt, finished_at)
    return True


def _total(attempt: Attempt) -> None:
    items = {item["question_id"]: item for item in attempt.snapshot}
    pending = [
        r
        for r in attempt.responses
        if r.fraction is None and get_kind(items[r.question_id]["kind"]).hand_graded
    ]
    attempt.score = round(sum((r.fraction or 0) * items[r.question_id]["mark"] for r in attempt.responses), 4)
    attempt.needs_grading = bool(pending)
    if pending:
        attempt.passed = None
    else:
        percent = 100 * attempt.score / attempt.max_score if attempt.max_score else 100.0
        attempt.passed = percent + 1e-9 >= attempt.quiz.pass_mark


def grade_essay(response: Response, fraction: float, grader: User, comment: str = "") -> None:
    """A trainer's grade for an essay answer; the attempt's score and pass follow."""
    attempt = response.attempt
    item = next(item for item in attempt.snapshot if item["question_id"] == response.question_id)
    if attempt.status is not AttemptStatus.FINISHED or not get_kind(item["kind"]).hand_graded:
        raise QuizError(_("Only essay answers of finished attempts are graded by hand."))
    if not 0 <= fraction <= 1:
        raise QuizError(_("The grade is a share of the marks from 0 to 1."))
    response.fraction = fraction
    response.graded_by_id = grader.id
    response.grader_comment = comment.strip()
    _total(attempt)
    db.session.flush()
    announce_attempt_finished(attempt, utcnow())
    db.session.commit()


def pending_essays(quiz: Quiz) -> list[Response]:
    """Essay answers of finished attempts still waiting for a trainer's grade."""
    return [
        response
        for attempt in db.session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.needs_grading.is_(True))
            .order_by(Attempt.id)
        )
        for response in attempt.responses
        if response.fraction is None
        and get_kind(
            next(i for i in attempt.snapshot if i["question_id"] == response.question_id)["kind"]
        ).hand_graded
    ]


# --- what the member sees --------------------------------------------------------------------


def page_questions(attempt: Attempt) -> list[dict[str, object]]:
    """The attempt's questions as the quiz page shows them: no correct answer, no feedback."""
    return public_items(
        attempt.snapshot, {response.question_id: response.response for response in attempt.responses}
    )


def public_items(snapshot: list[SnapshotItem], saved: Mapping[int, ResponseValue]) -> list[dict[str, object]]:
    """Snapshot items as a page may show them before answering, with the answers saved so far."""
    return [
        {
            "id": item["question_id"],
            "number": number,
            "kind": item["kind"],
            "text": item["text"],
            "format": item["format"],
            "mark": item["mark"],
            "saved": get_kind(item["kind"]).page_value(saved.get(item["question_id"])),
            **get_kind(item["kind"]).public(item),
        }
        for number, item in enumerate(snapshot, start=1)
    ]


@dataclass
class Reveal:
    score: bool
    answers: bool


def reveal_for(attempt: Attempt, now: datetime | None = None) -> Reveal:
    """What the review page may show under the quiz's reveal policy."""
    now = now or utcnow()
    if attempt.status is not AttemptStatus.FINISHED:
        return Reveal(False, False)
    policy = attempt.quiz.reveal
    if policy is RevealPolicy.AFTER_SUBMIT:
        return Reveal(True, True)
    if policy is RevealPolicy.AFTER_CLOSE:
        closed = attempt.quiz.closes_at is not None and now >= attempt.quiz.closes_at
        return Reveal(True, closed)
    return Reveal(policy is RevealPolicy.SCORE_ONLY, False)


def review_questions(attempt: Attempt, reveal: Reveal) -> list[dict[str, object]]:
    responses = {response.question_id: response for response in attempt.responses}
    rows = []
    for number, item in enumerate(attempt.snapshot, start=1):
        kind = get_kind(item["kind"])
        response = responses[item["question_id"]]
        row = {
            "id": item["question_id"],
            "number": number,
            "kind": item["kind"],
            "text": item["text"],
            "format": item["format"],
            "mark": item["mark"],
            "given": kind.describe(item, response.response),
        }
        if reveal.answers:
            row.update(
                correct=kind.correct_answer(item["answers"]),
                feedback=kind.feedback(item["answers"], response.response),
                general_feedback=item["general_feedback"],
                fraction=response.fraction,
                right=response.fraction is not None and response.fraction >= FULL_MARKS,
                grader_comment=response.grader_comment,
            )
        rows.append(row)
    return rows
