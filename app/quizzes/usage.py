"""Where quizzes are used: asked of the domains that use them, which the quiz domain does not import.

A course lesson (or a course's final exam) points at a quiz; the courses domain answers for its
lessons (``app/courses/quiz_link.py``), subscribed by its ``init_app`` with ``listen_quiz_usage``.
Everything in quizzes asks only the four functions below.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, false, select, union_all

from app.auth.models import User
from app.quizzes.models import Quiz


@dataclass(frozen=True)
class QuizUsage:
    """One domain's answers about the quizzes it uses."""

    # The ids of the quizzes it embeds: members reach them through its pages, not the quiz list.
    embedded_ids: Callable[[], Select[int | None]]
    # Whether the user may take the quiz, or None when the quiz is not one it uses.
    may_take: Callable[[User, int], bool | None]
    # Why the quiz must be kept (a sentence for its author), or None.
    keep_reason: Callable[[Quiz], str | None]
    # Whether it finds the bank of one of these quizzes by the bank's name.
    finds_bank_by_name: Callable[[list[int]], bool]


usages: list[QuizUsage] = []


def listen_quiz_usage(usage: QuizUsage) -> None:
    """Subscribe a domain's answers once (building several apps in one process subscribes again)."""
    if usage not in usages:
        usages.append(usage)


def embedded_quiz_ids() -> Select[int | None]:
    """The ids of the quizzes another domain's pages lead to (left out of the members' quiz list)."""
    selects = [usage.embedded_ids() for usage in usages]
    if not selects:
        return select(Quiz.id).where(false())
    return selects[0] if len(selects) == 1 else select(union_all(*selects).subquery().c[0])


def may_take(user: User, quiz_id: int) -> bool:
    """A quiz another domain uses is for those it lets in; any other quiz is for all who may see it."""
    answers = [answer for usage in usages if (answer := usage.may_take(user, quiz_id)) is not None]
    return not answers or any(answers)


def keep_reason(quiz: Quiz) -> str | None:
    """Why ``quiz`` may not be deleted because another domain uses it, or None."""
    return next((reason for usage in usages if (reason := usage.keep_reason(quiz))), None)


def bank_found_by_name(quiz_ids: list[int]) -> bool:
    """Whether another domain finds the bank of one of these quizzes by its name (so it keeps it)."""
    return any(usage.finds_bank_by_name(quiz_ids) for usage in usages)
