"""Where videos are used: the seam between media and the courses domain.

Lessons do not exist yet. When the courses domain adds video lessons it fills in these two functions
(with queries on its Lesson table); until then no video is in use and members may watch none.
Everything in media asks only these functions, so nothing else changes then.
"""

from app.auth.models import User
from app.media.models import Video


def count_video_usages(video: Video) -> int:
    """Return how many lessons use ``video``; delete_video refuses while this is above zero."""
    return 0


def member_may_watch(user: User, video: Video) -> bool:
    """Return whether a published lesson that ``user`` may study uses ``video`` (deny until lessons exist)."""
    return False
