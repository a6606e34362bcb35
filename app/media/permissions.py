"""Who may manage videos and who may watch them: the one place for these rules.

Trainers and admins share the video library: they see every video, watch it and pick it for their
lessons. Changing a video (deleting it, retrying its transcoding, adding, replacing or deleting its
subtitles) is for its uploader and admins only. A member may watch a video only when a published
lesson they may study uses it (decided by usage.member_may_watch).
"""

from sqlalchemy import Select, false, select

from app.auth.models import Role, User
from app.media import usage
from app.media.models import Video

MANAGER_ROLES = (Role.TRAINER, Role.ADMIN)


def can_manage_videos(user: User) -> bool:
    return user.is_authenticated and bool(user.roles.intersection(MANAGER_ROLES))


def can_change_video(user: User, video: Video) -> bool:
    """Delete, retry, and add, replace or delete subtitles: the trainer who uploaded it, and admins."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.TRAINER) and video.uploaded_by_id == user.id


def can_view_video(user: User, video: Video) -> bool:
    if not user.is_authenticated:
        return False
    return can_manage_videos(user) or usage.member_may_watch(user, video)


def scoped_videos(user: User) -> Select[Video]:
    """Select the videos the user may manage (all for trainers and admins, none for others)."""
    statement = select(Video)
    return statement if can_manage_videos(user) else statement.where(false())
