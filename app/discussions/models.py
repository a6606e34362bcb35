"""Posts under lessons and on units' boards (支部园地), reports of posts, and where each member
stopped reading replies."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.courses.models import Lesson
from app.extensions import Model, str_enum
from app.org.models import OrgUnit
from app.timeutil import utcnow


class PostStatus(enum.StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"  # by a moderator, with a reason; restorable
    DELETED = "deleted"  # by a moderator, with a reason; kept in the database, never shown


class Post(Model):
    """A post in a lesson's discussion or on a unit's board; replies point at the thread's first post.

    Exactly one of ``lesson_id`` and ``unit_id`` is set: the same posts, replies, pins, reports and
    moderation serve both places. A board topic's first post has a ``title``.
    """

    __tablename__ = "discussion_posts"
    __table_args__ = (
        Index("ix_discussion_posts_lesson_parent", "lesson_id", "parent_id"),
        Index("ix_discussion_posts_unit_parent", "unit_id", "parent_id"),
        CheckConstraint("(lesson_id IS NULL) <> (unit_id IS NULL)", name="lesson_or_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="")  # a board topic's; lesson posts have none
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_posts.id"), index=True)
    quoted_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_posts.id"), index=True)
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered through app.markup
    is_question: Mapped[bool] = mapped_column(default=False)
    accepted_answer_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_posts.id"))
    accepted_at: Mapped[datetime | None]
    pinned_at: Mapped[datetime | None]
    status: Mapped[PostStatus] = mapped_column(str_enum(PostStatus), default=PostStatus.VISIBLE)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime | None]
    moderation_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    lesson: Mapped[Lesson | None] = relationship()
    unit: Mapped[OrgUnit | None] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    moderated_by: Mapped[User | None] = relationship(foreign_keys=[moderated_by_id])
    parent: Mapped["Post | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])
    quoted: Mapped["Post | None"] = relationship(remote_side=[id], foreign_keys=[quoted_id])
    accepted_answer: Mapped["Post | None"] = relationship(remote_side=[id], foreign_keys=[accepted_answer_id])

    @property
    def is_visible(self) -> bool:
        return self.status is PostStatus.VISIBLE

    @property
    def is_open_question(self) -> bool:
        return self.is_question and self.accepted_answer_id is None and self.is_visible

    def __repr__(self) -> str:
        return f"<Post {self.id} lesson={self.lesson_id}>"


class PostReport(Model):
    """A member's report of a post to the moderators; one per member and post."""

    __tablename__ = "discussion_reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id", name="uq_discussion_reports_post_reporter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    post: Mapped[Post] = relationship()
    reporter: Mapped[User] = relationship()


class ReplyMark(Model):
    """When a member last looked at the replies to their posts: newer replies are unread."""

    __tablename__ = "discussion_reply_marks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
