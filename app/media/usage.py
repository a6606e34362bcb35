"""Where videos are used: asked of the domains that use them, which the media domain does not import.

A video lesson links the video its course folder's file became (``Lesson.video_id``); the courses
domain answers for its lessons (``app/courses/videos.py``), subscribed by its ``init_app``.
Everything in media asks only the two functions below.
"""

from collections.abc import Callable

from app.auth.models import User
from app.media.models import Video

# Each answers for its own domain: how many of its objects use the video...
usage_counters: list[Callable[[Video], int]] = []
# ...and whether it lets the user watch the video (one yes is enough).
watch_grants: list[Callable[[User, Video], bool]] = []


def listen_video_usage(count: Callable[[Video], int], may_watch: Callable[[User, Video], bool]) -> None:
    """Subscribe a domain's answers once (building several apps in one process subscribes again)."""
    if count not in usage_counters:
        usage_counters.append(count)
    if may_watch not in watch_grants:
        watch_grants.append(may_watch)


def count_video_usages(video: Video) -> int:
    """Return how many lessons (or other objects) use ``video``: one in use is never deleted."""
    return sum(count(video) for count in usage_counters)


def member_may_watch(user: User, video: Video) -> bool:
    """Return whether a domain that uses ``video`` lets ``user`` watch it."""
    return any(may_watch(user, video) for may_watch in watch_grants)
