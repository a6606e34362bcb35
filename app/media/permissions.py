"""Who may manage videos and who may watch them: the one place for these rules.

Trainers and admins manage the video library and may watch every video. A member may watch a video
only when a published lesson they may study uses it (decided by usage.member_may_watch).
"""

from sqlalchemy import Select, false, select

from app.auth.models import Role, User
from app.media import usage
from app.media.models import Video

MANAGER_ROLES = (Role.TRAINER, Role.ADMIN)


def can_manage_videos(user: User) -> bool:
    return user.is_authenticated and bool(user.roles.intersection(MANAGER_ROLES))


def can_view_video(user: User, video: Video) -> bool:
    if not user.is_authenticated:
        return False
    return can_manage_videos(user) or usage.member_may_watch(user, video)


def scoped_videos(user: User) -> Select[tuple[Video]]:
    """Select the videos the user may manage (all for trainers and admins, none for others)."""
    statement = select(Video)
    return statement if can_manage_videos(user) else statement.where(false())
