"""The typed shapes of what a question stores (``Question.answers``, JSON) and of a member's response
(``Response.response``, JSON), one per family of kinds. Each kind (``kinds/``) reads and writes only
its own shape; code outside the kinds passes them along without looking inside.

- single, multiple, shortanswer, truefalse: ``Answer`` rows (truefalse: exactly "true" then "false",
  the correct one with fraction 1, each with the feedback shown to whoever picks it; an answer may
  add ``format`` when it differs from the question's);
- numerical: ``NumericalAnswer`` rows, with ``tolerance`` or a ``min``…``max`` range; ``text: "*"``
  matches any number (Moodle's feedback for every other answer);
- matching: ``Pair`` rows; a pair with an empty question adds a distractor answer;
- essay, description: no answers.
"""

from typing import NotRequired, TypedDict


class Answer(TypedDict):
    text: str
    fraction: float  # the share of the mark, -1 … 1
    feedback: str
    format: NotRequired[str]  # a TextFormat value, when it differs from the question's


class NumericalAnswer(TypedDict):
    text: str  # the number as typed, "*" for any other number
    fraction: float
    feedback: str
    tolerance: NotRequired[float]
    min: NotRequired[float]
    max: NotRequired[float]


class Pair(TypedDict):
    question: str  # empty: a distractor answer
    answer: str


StoredAnswer = Answer | NumericalAnswer | Pair

# A member's cleaned response: an option's index (single), option indexes (multiple), a bool
# (truefalse), a text (shortanswer, numerical, essay), {pair index: chosen answer} (matching); None
# when unanswered.
ResponseValue = int | list[int] | bool | str | dict[str, str] | None


class SnapshotItem(TypedDict):
    """A question as an attempt keeps it (``Attempt.snapshot``): later edits do not change it."""

    question_id: int
    kind: str
    title: str
    text: str
    format: str
    general_feedback: str
    answers: list[StoredAnswer]
    mark: float
    order: list[int]  # option indexes as shown
