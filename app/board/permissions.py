"""Who may read, post on and moderate which unit's board: the one place for these rules.

A member reads and posts on their own unit's board. Secretaries read, post on and moderate the boards
of the units they manage (their unit and everything below it; app.org.permissions); admins every
board. Auditors read nothing here: a board is the members' own space. Other boards answer 404.
Lists are scoped in SQL by the same rule.
"""

from sqlalchemy import ColumnElement, Select, false, or_, select

from app.auth.models import User
from app.discussions.models import Post
from app.org.models import OrgUnit
from app.org.permissions import can_manage_unit, managed_paths


def _unit_condition(user: User) -> ColumnElement[bool] | None:
    if not user.is_authenticated:
        return false()
    paths = managed_paths(user)
    if paths is None:
        return None
    conditions = [OrgUnit.in_subtree(path) for path in paths]
    if user.unit_id is not None:
        conditions.append(OrgUnit.id == user.unit_id)
    return or_(*conditions) if conditions else false()


def board_units(user: User) -> Select[OrgUnit]:
    """Select the units whose boards the user may open."""
    condition = _unit_condition(user)
    statement = select(OrgUnit)
    return statement if condition is None else statement.where(condition)


def can_read_board(user: User, unit: OrgUnit) -> bool:
    return user.is_authenticated and (user.unit_id == unit.id or can_manage_unit(user, unit))


def can_post(user: User, unit: OrgUnit) -> bool:
    return can_read_board(user, unit) and user.is_active


def can_moderate(user: User, unit: OrgUnit) -> bool:
    """Pin, hide, delete and restore on a board: its unit's secretaries (and above) and admins."""
    return user.is_authenticated and can_manage_unit(user, unit)


def readable_board_posts(user: User) -> Select[Post]:
    """Select the board posts the user may read (of any status; callers filter what to show)."""
    condition = _unit_condition(user)
    statement = select(Post).join(OrgUnit, Post.unit_id == OrgUnit.id)
    return statement if condition is None else statement.where(condition)


# The same rules for one post of a board the user reads (found through ``readable_board_posts``).


def can_see_post(user: User, post: Post) -> bool:
    """A hidden post is seen by the board's moderators only."""
    return post.unit is not None and (post.is_visible or can_moderate(user, post.unit))


def can_reply(user: User, post: Post) -> bool:
    return post.unit is not None and can_post(user, post.unit)


def can_report(user: User, post: Post) -> bool:
    """Anyone who reads a post but its author."""
    return post.author_id != user.id


def can_moderate_post(user: User, post: Post) -> bool:
    return post.unit is not None and can_moderate(user, post.unit)
