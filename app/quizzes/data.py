"""A question as read from a file, before it is stored."""

from dataclasses import dataclass, field

from app.quizzes.answers import StoredAnswer
from app.quizzes.models import TextFormat

DEFAULT_CATEGORY = ""  # the bank's top level


@dataclass
class QuestionData:
    """A question read from a file, before it is stored."""

    kind: str  # a registered kind's name (app/quizzes/kinds)
    text: str
    answers: list[StoredAnswer]
    category: str = DEFAULT_CATEGORY
    title: str = ""
    format: TextFormat = TextFormat.MOODLE
    general_feedback: str = ""
    tags: list[str] = field(default_factory=list)
    idnumber: str | None = None
    difficulty: int | None = None
