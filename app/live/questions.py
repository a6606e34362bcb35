"""Live questions: members ask during the broadcast, the trainer answers or pins one.

Players poll ``GET /api/v1/live/<id>/state`` with the ETag of their last answer; the stream's
``version`` (bumped by every question, answer, pin and state change) is that ETag, so an unchanged
poll costs one indexed read and a 304 (docs/api.md explains why polling and not a held connection).
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.auth.models import User
from app.courses.models import Lesson
from app.extensions import db
from app.live.models import LiveQuestion, LiveStream
from app.live.services import LiveError, raise_unless_live, stream_of
from app.timeutil import utcnow

MAX_QUESTION = 500
MAX_ANSWER = 2000
# A member's open questions at once: enough to ask, too few to flood the trainer's list.
MAX_OPEN_PER_MEMBER = 5


def _bump(lesson: Lesson) -> None:
    db.session.execute(
        update(LiveStream)
        .where(LiveStream.lesson_id == lesson.id)
        .values(version=LiveStream.version + 1)
        .execution_options(synchronize_session=False)
    )


def ask(member: User, lesson: Lesson, body: str, now: datetime | None = None) -> LiveQuestion:
    """Post a question while the lesson is live."""
    body = (body or "").strip()
    if not 2 <= len(body) <= MAX_QUESTION:
        raise LiveError(_("A question has 2 to %(most)d characters.", most=MAX_QUESTION))
    raise_unless_live(lesson)
    open_count = db.session.scalar(
        select(func.count(LiveQuestion.id)).where(
            LiveQuestion.lesson_id == lesson.id,
            LiveQuestion.user_id == member.id,
            LiveQuestion.answered_at.is_(None),
        )
    )
    if (open_count or 0) >= MAX_OPEN_PER_MEMBER:
        raise LiveError(_("Wait for an answer before asking more questions."))
    question = LiveQuestion(lesson_id=lesson.id, user_id=member.id, body=body, created_at=now or utcnow())
    db.session.add(question)
    stream_of(lesson)
    _bump(lesson)
    db.session.commit()
    return question


def _question(lesson: Lesson, question_id: int) -> LiveQuestion:
    question = db.session.scalar(
        select(LiveQuestion).where(LiveQuestion.id == question_id, LiveQuestion.lesson_id == lesson.id)
    )
    if question is None:
        raise LiveError(_("No such question."))
    return question


def answer(host: User, lesson: Lesson, question_id: int, text: str, now: datetime | None = None) -> None:
    """Mark a question answered, with the answer's text (may be empty: answered aloud)."""
    text = (text or "").strip()
    if len(text) > MAX_ANSWER:
        raise LiveError(_("An answer has at most %(most)d characters.", most=MAX_ANSWER))
    question = _question(lesson, question_id)
    question.answer = text
    question.answered_at = now or utcnow()
    question.answered_by_id = host.id
    _bump(lesson)
    db.session.commit()


def pin(lesson: Lesson, question_id: int, pinned: bool = True) -> None:
    """Pin one question above the others (pinning one unpins the rest)."""
    question = _question(lesson, question_id)
    if pinned:
        db.session.execute(
            update(LiveQuestion)
            .where(LiveQuestion.lesson_id == lesson.id)
            .values(pinned=False)
            .execution_options(synchronize_session=False)
        )
    question.pinned = pinned
    _bump(lesson)
    db.session.commit()


def questions_for(viewer: User, lesson: Lesson, host: bool) -> list[dict[str, object]]:
    """The questions a page shows: the host sees all; a member sees answered and pinned ones and
    their own. Pinned first, then newest first."""
    statement = select(LiveQuestion).where(LiveQuestion.lesson_id == lesson.id)
    if not host:
        statement = statement.where(
            (LiveQuestion.answered_at.is_not(None))
            | LiveQuestion.pinned
            | (LiveQuestion.user_id == viewer.id)
        )
    rows = db.session.scalars(
        statement.order_by(
            LiveQuestion.pinned.desc(), LiveQuestion.created_at.desc(), LiveQuestion.id.desc()
        ).limit(200)
    )
    return [
        {
            "id": row.id,
            "body": row.body,
            "asker": row.user.display_name if host else None,
            "mine": row.user_id == viewer.id,
            "answered": row.answered_at is not None,
            "answer": row.answer,
            "pinned": row.pinned,
        }
        for row in rows
    ]
