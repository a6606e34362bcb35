"""Board operations: start a topic, list a board's topics, read a topic, open reports.

Replies, pins, reports and moderation are the discussion domain's own operations
(app.discussions.services), which work on board posts as they do on lesson posts. Callers check
permissions through app.board.permissions first.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, selectinload

from app.auth.models import User
from app.board.permissions import board_units
from app.discussions.models import Post, PostReport, PostStatus
from app.discussions.services import Thread, clean_body
from app.errors import DomainError
from app.extensions import db
from app.org.models import OrgUnit

MAX_TITLE = 200
PAGE_SIZE = 30


def create_topic(author: User, unit: OrgUnit, title: str, body: str) -> Post:
    """Start a topic on the unit's board."""
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A topic needs a title."))
    if len(title) > MAX_TITLE:
        raise DomainError(_("The title can be at most %(count)d characters long.", count=MAX_TITLE))
    topic = Post(unit_id=unit.id, author=author, title=title, body=clean_body(body))
    db.session.add(topic)
    db.session.commit()
    return topic


def board_of(post: Post) -> OrgUnit:
    """The unit whose board a post is on (found through ``readable_board_posts``)."""
    if post.unit is None:
        raise ValueError(f"post {post.id} is under a lesson, not on a board")
    return post.unit


def board_count(user: User) -> int:
    """How many boards the user may open."""
    return db.session.execute(select(func.count()).select_from(board_units(user).subquery())).scalar_one()


@dataclass
class TopicRow:
    topic: Post
    replies: int
    last_activity: datetime


def board_topics(unit: OrgUnit, include_hidden: bool, page: int = 1) -> tuple[list[TopicRow], int]:
    """One page of the board's topics, pinned first, then by latest activity; and how many there are.

    Deleted topics are gone; hidden ones are listed for moderators only.
    """
    reply = aliased(Post)
    shown = [PostStatus.VISIBLE, PostStatus.HIDDEN] if include_hidden else [PostStatus.VISIBLE]
    where = (Post.unit_id == unit.id, Post.parent_id.is_(None), Post.status.in_(shown))
    last_activity = func.coalesce(func.max(reply.created_at), Post.created_at)
    rows = db.session.execute(
        select(Post, func.count(reply.id), last_activity)
        .outerjoin(reply, and_(reply.parent_id == Post.id, reply.status == PostStatus.VISIBLE))
        .where(*where)
        .options(selectinload(Post.author))
        .group_by(Post.id)
        .order_by(Post.pinned_at.is_(None), Post.pinned_at.desc(), last_activity.desc(), Post.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    total = db.session.execute(select(func.count(Post.id)).where(*where)).scalar_one()
    return [TopicRow(topic, count, at) for topic, count, at in rows], total


def topic_thread(topic: Post) -> Thread:
    """The topic and its replies in order; deleted replies are left out."""
    replies = db.session.scalars(
        select(Post)
        .where(Post.parent_id == topic.id, Post.status != PostStatus.DELETED)
        .options(selectinload(Post.author), selectinload(Post.quoted).selectinload(Post.author))
        .order_by(Post.created_at, Post.id)
    )
    return Thread(topic, list(replies))


def open_reports(unit: OrgUnit) -> list[PostReport]:
    """Unresolved reports on the board's posts, oldest first."""
    return list(
        db.session.scalars(
            select(PostReport)
            .join(Post, PostReport.post_id == Post.id)
            .where(Post.unit_id == unit.id, PostReport.resolved_at.is_(None))
            .options(selectinload(PostReport.post), selectinload(PostReport.reporter))
            .order_by(PostReport.created_at, PostReport.id)
        )
    )


def topic_counts(unit_ids: list[int]) -> dict[int, int]:
    """Visible topics per board."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(Post.unit_id, func.count(Post.id))
        .where(Post.unit_id.in_(unit_ids), Post.parent_id.is_(None), Post.status == PostStatus.VISIBLE)
        .group_by(Post.unit_id)
    )
    return {unit_id: count for unit_id, count in rows if unit_id is not None}
