"""The reading timer of a reading lesson on the document page, supplied by another domain.

The library does not import progress (progress builds on the library's reading page: it credits
verified reading time to reading lessons). When the page is opened from a reading lesson
(``?lesson=``), the timer provided here (by the progress domain's ``init_app``) opens a viewing
session and says what the page's timer shows; without one the page has no timer.
"""

from collections.abc import Callable, Mapping

from app.auth.models import User
from app.library.models import Document

# (member, the document, the lesson id the page was opened from) -> what the page's timer needs,
# or None when that lesson is not a current reading lesson on this document.
ReadingTimer = Callable[[User, Document, int], Mapping[str, object] | None]

_provided: list[ReadingTimer] = []


def provide_reading_timer(timer: ReadingTimer) -> None:
    """Use ``timer`` for reading lessons' timers on the document page (the progress domain's init_app)."""
    _provided[:] = [timer]


def reading_timer(member: User, document: Document, lesson_id: int | None) -> Mapping[str, object] | None:
    if not lesson_id or not _provided:
        return None
    return _provided[0](member, document, lesson_id)
