"""What the quiz domain tells other domains, as explicit lists of listeners.

The quiz domain does not import the domains that act on its outcomes (progress completes quiz
lessons and credits exam hours). ``create_app`` subscribes them here, so a reader sees who listens.
A listener runs in the caller's transaction and only flushes: the quiz operation commits once.
"""

from collections.abc import Callable
from datetime import datetime

from app.quizzes.models import Attempt

AttemptListener = Callable[[Attempt, datetime], None]

# Called whenever an attempt becomes finished (submitted, or closed by the server at its deadline)
# and whenever a finished attempt's grade changes (an essay graded or regraded).
attempt_finished: list[AttemptListener] = []


def listen_attempt_finished(listener: AttemptListener) -> None:
    """Subscribe ``listener`` once (building several apps in one process subscribes it again)."""
    if listener not in attempt_finished:
        attempt_finished.append(listener)


def announce_attempt_finished(attempt: Attempt, at: datetime) -> None:
    for listener in attempt_finished:
        listener(attempt, at)
