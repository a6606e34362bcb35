"""Discussion operations: posting, replying, questions and answers, pins, reports, moderation.

Callers (views, tests) check permissions through app.discussions.permissions first; these functions
enforce the invariants of a thread and own the transaction.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.audit.services import record_audit
from app.auth.models import User
from app.courses.models import Lesson
from app.discussions.models import Post, PostReport, PostStatus, ReplyMark
from app.discussions.permissions import overview_courses, readable_posts
from app.errors import DomainError
from app.extensions import db
from app.timeutil import utcnow

MAX_BODY = 5000
MAX_REASON = 200


class ModerationAction:
    HIDE = "hide"
    DELETE = "delete"
    RESTORE = "restore"
    ALL = (HIDE, DELETE, RESTORE)


def clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write something before posting."))
    if len(body) > MAX_BODY:
        raise DomainError(_("A post can be at most %(count)d characters long.", count=MAX_BODY))
    return body


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason."))
    if len(reason) > MAX_REASON:
        raise DomainError(_("The reason can be at most %(count)d characters long.", count=MAX_REASON))
    return reason


def create_post(author: User, lesson: Lesson, body: str, is_question: bool = False) -> Post:
    """Start a thread under a lesson (a question to the course's trainers when ``is_question``)."""
    post = Post(lesson=lesson, author=author, body=clean_body(body), is_question=bool(is_question))
    db.session.add(post)
    db.session.commit()
    return post


def reply_to(author: User, post: Post, body: str, quote: bool = False) -> Post:
    """Reply in ``post``'s thread; replying to a reply (or asking to) quotes that post."""
    if not post.is_visible:
        raise DomainError(_("This post was hidden or deleted: it cannot be replied to."))
    root = post.parent or post
    if not root.is_visible:
        raise DomainError(_("This discussion was hidden or deleted: it cannot be replied to."))
    quoted = post if (quote or post.parent_id is not None) else None
    reply = Post(
        lesson_id=root.lesson_id,
        unit_id=root.unit_id,
        author=author,
        parent=root,
        quoted=quoted,
        body=clean_body(body),
    )
    db.session.add(reply)
    db.session.commit()
    return reply


def accept_answer(answer: Post) -> Post:
    """Mark a reply as the accepted answer of its question; return the question."""
    question = answer.parent
    if question is None or not question.is_question:
        raise DomainError(_("Only a reply to a question can be accepted as its answer."))
    if not answer.is_visible or not question.is_visible:
        raise DomainError(_("A hidden or deleted post cannot be accepted."))
    if answer.author_id == question.author_id:
        raise DomainError(_("The question's own author cannot answer it."))
    question.accepted_answer = answer
    question.accepted_at = utcnow()
    db.session.commit()
    return question


def set_pinned(moderator: User, post: Post, pinned: bool) -> None:
    """Pin a thread's first post on top of its discussion (or unpin it); recorded in the audit log."""
    if post.parent_id is not None:
        raise DomainError(_("Only the first post of a discussion can be pinned."))
    post.pinned_at = utcnow() if pinned else None
    action = "pin" if pinned else "unpin"
    record_audit(moderator, f"discussion.post.{action}", "discussion_post", post.id, _place(post))
    db.session.commit()


def report_post(reporter: User, post: Post, reason: str) -> PostReport:
    reason = clean_reason(reason)
    already = db.session.scalar(
        select(PostReport).where(PostReport.post_id == post.id, PostReport.reporter_id == reporter.id)
    )
    if already is not None:
        raise DomainError(_("You have already reported this post; the trainers will look at it."))
    report = PostReport(post=post, reporter=reporter, reason=reason)
    db.session.add(report)
    db.session.commit()
    return report


def moderate_post(moderator: User, post: Post, action: str, reason: str) -> None:
    """Hide, delete (both soft, with a reason) or restore a hidden post; recorded in the audit log."""
    if action not in ModerationAction.ALL:
        raise DomainError(_("Unknown moderation action."))
    reason = clean_reason(reason)
    if action == ModerationAction.RESTORE:
        if post.status is not PostStatus.HIDDEN:
            raise DomainError(_("Only a hidden post can be restored."))
        new_status = PostStatus.VISIBLE
    else:
        if post.status is PostStatus.DELETED:
            raise DomainError(_("This post is already deleted."))
        new_status = PostStatus.HIDDEN if action == ModerationAction.HIDE else PostStatus.DELETED
    previous = post.status
    now = utcnow()
    post.status = new_status
    post.moderated_by = moderator
    post.moderated_at = now
    post.moderation_reason = reason
    for report in db.session.scalars(
        select(PostReport).where(PostReport.post_id == post.id, PostReport.resolved_at.is_(None))
    ):
        report.resolved_at = now
    if new_status is not PostStatus.VISIBLE:
        # A question whose accepted answer is taken down is open again.
        for question in db.session.scalars(select(Post).where(Post.accepted_answer_id == post.id)):
            question.accepted_answer_id = None
            question.accepted_at = None
    record_audit(
        moderator,
        f"discussion.post.{action}",
        "discussion_post",
        post.id,
        {"reason": reason, "from": previous.value, "to": new_status.value, **_place(post)},
    )
    db.session.commit()


def _place(post: Post) -> dict[str, int | None]:
    """Where a post is, for the audit log: its lesson or its unit's board."""
    return {"lesson_id": post.lesson_id} if post.lesson_id is not None else {"unit_id": post.unit_id}


def lesson_of(post: Post) -> Lesson:
    """The lesson a post of a lesson discussion is under (found through ``readable_posts``)."""
    if post.lesson is None:
        raise ValueError(f"post {post.id} is on a board, not under a lesson")
    return post.lesson


# --- reading --------------------------------------------------------------------------------------


@dataclass
class Thread:
    root: Post
    replies: list[Post] = field(default_factory=list)


def lesson_threads(lesson: Lesson) -> list[Thread]:
    """The lesson's threads, pinned first then oldest first, replies in order.

    Deleted posts with no replies disappear; hidden and deleted posts that have replies stay in place
    (the page shows a notice instead of their text) so the conversation still reads in order.
    """
    posts = list(
        db.session.scalars(
            select(Post)
            .where(Post.lesson_id == lesson.id)
            .options(selectinload(Post.author), selectinload(Post.quoted).selectinload(Post.author))
            .order_by(Post.created_at, Post.id)
        )
    )
    threads: dict[int, Thread] = {}
    for post in posts:
        if post.parent_id is None:
            threads[post.id] = Thread(post)
    for post in posts:
        thread = threads.get(post.parent_id) if post.parent_id is not None else None
        if thread is not None and post.status is not PostStatus.DELETED:
            thread.replies.append(post)
    shown = [
        thread
        for thread in threads.values()
        if thread.root.status is not PostStatus.DELETED or thread.replies
    ]
    return sorted(shown, key=lambda thread: (thread.root.pinned_at is None, thread.root.created_at))


def _replies_to(user: User) -> Select[Post]:
    parent = aliased(Post)
    quoted = aliased(Post)
    return (
        readable_posts(user)
        .outerjoin(parent, Post.parent_id == parent.id)
        .outerjoin(quoted, Post.quoted_id == quoted.id)
        .where(
            Post.author_id != user.id,
            Post.status == PostStatus.VISIBLE,
            or_(parent.author_id == user.id, quoted.author_id == user.id),
        )
    )


def _seen_at(user: User) -> datetime | None:
    mark = db.session.get(ReplyMark, user.id)
    return mark.seen_at if mark else None


def unread_reply_count(user: User) -> int:
    statement = _replies_to(user)
    seen_at = _seen_at(user)
    if seen_at is not None:
        statement = statement.where(Post.created_at > seen_at)
    return db.session.execute(statement.with_only_columns(func.count(Post.id))).scalar_one()


def recent_replies(user: User, limit: int = 50) -> tuple[list[Post], datetime | None]:
    """The newest replies to the user's posts, and when the user last looked (older ones are read)."""
    # Each reply is shown with its author and its lesson's course: loaded with it, not one by one.
    statement = _replies_to(user).options(
        joinedload(Post.author), joinedload(Post.lesson).joinedload(Lesson.course)
    )
    replies = list(
        db.session.scalars(statement.order_by(Post.created_at.desc(), Post.id.desc()).limit(limit))
    )
    return replies, _seen_at(user)


def mark_replies_seen(user: User) -> None:
    mark = db.session.get(ReplyMark, user.id)
    if mark is None:
        db.session.add(ReplyMark(user_id=user.id, seen_at=utcnow()))
    else:
        mark.seen_at = utcnow()
    db.session.commit()


def open_questions(user: User) -> Select[Post]:
    """Select unanswered questions in the courses the user answers for, oldest first."""
    return (
        readable_posts(user)
        .where(
            Lesson.course_id.in_(overview_courses(user)),
            Post.parent_id.is_(None),
            Post.is_question.is_(True),
            Post.accepted_answer_id.is_(None),
            Post.status == PostStatus.VISIBLE,
        )
        .order_by(Post.created_at, Post.id)
    )


def open_reports(user: User) -> Select[PostReport]:
    """Select unresolved reports on posts in the courses the user answers for, oldest first."""
    post_ids = readable_posts(user).where(Lesson.course_id.in_(overview_courses(user)))
    return (
        select(PostReport)
        .where(
            PostReport.resolved_at.is_(None),
            PostReport.post_id.in_(post_ids.with_only_columns(Post.id)),
        )
        .order_by(PostReport.created_at, PostReport.id)
    )


def reply_counts(posts: list[Post]) -> dict[int, int]:
    """Visible replies per first post."""
    ids = [post.id for post in posts]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Post.parent_id, func.count(Post.id))
        .where(Post.parent_id.in_(ids), Post.status == PostStatus.VISIBLE)
        .group_by(Post.parent_id)
    )
    return {parent_id: count for parent_id, count in rows if parent_id is not None}
