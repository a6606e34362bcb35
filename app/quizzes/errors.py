"""The quiz domain's errors; each message is already translated for the user."""

from app.errors import DomainError


class QuizError(DomainError):
    """A rule of question banks or quizzes was broken."""


class AttemptClosedError(QuizError):
    """The attempt is finished (submitted, or closed at its deadline): nothing more is saved."""


class StaleAttemptError(QuizError):
    """The request came from a page older than the attempt's latest save (another tab or window)."""


class TamperedResponseError(QuizError):
    """The request holds something no honest page sends: nothing of it is saved."""
