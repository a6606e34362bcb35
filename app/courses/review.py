"""Review before publishing, for organisations that turn it on (``COURSE_REVIEW_REQUIRED``).

With review on, nothing reaches members unless a reviewer approved it:

- a draft course is submitted instead of published; approval publishes it;
- a published course is not edited in place: the trainer edits its *working copy*, a draft course
  that points at it (``Course.draft_of_id``) and is made from it, and submits that. Approval applies
  the copy onto the published course as a folder import would (lessons matched by key, so members
  keep their progress on lessons that still exist; removed lessons keep their records) and records a
  revision. The copy stays for the next round and is brought up to date with the published course
  whenever it holds no edits of its own;
- while a submission waits, its course is frozen, so what the reviewer read is what is published
  (checked again by the content digest taken at submission);
- a reviewer never decides on a course they submitted or own. Every step is in the audit log.

A trainer's own folder import by the command line is the committee's own channel (files in git) and
is not reviewed; a .zip upload through the browser is, since it arrives as a draft or is refused.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, replace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select

from app.audit.services import record_audit
from app.auth.models import User
from app.courses import permissions
from app.courses.errors import CourseError
from app.courses.importer import ImportResult, apply_spec, course_spec, link_quizzes
from app.courses.models import (
    Course,
    CourseReview,
    CourseStatus,
    Lesson,
    LessonKind,
    ReviewStatus,
    RevisionOrigin,
)
from app.extensions import db
from app.timeutil import utcnow

NOTE_MAX_CHARS = 2000


def review_required() -> bool:
    return bool(current_app.config["COURSE_REVIEW_REQUIRED"])


def pending_review(course: Course) -> CourseReview | None:
    return db.session.scalar(
        select(CourseReview).where(
            CourseReview.course_id == course.id, CourseReview.status == ReviewStatus.PENDING
        )
    )


def latest_review(course: Course) -> CourseReview | None:
    return db.session.scalar(
        select(CourseReview)
        .where(CourseReview.course_id == course.id)
        .order_by(CourseReview.submitted_at.desc(), CourseReview.id.desc())
        .limit(1)
    )


def working_copy_of(course: Course) -> Course | None:
    return db.session.scalar(select(Course).where(Course.draft_of_id == course.id))


def content_digest(course: Course) -> str:
    """A digest of what members would see of the course, whatever its short name and status."""
    spec = replace(course_spec(course), slug="", status=CourseStatus.DRAFT)
    text = json.dumps(asdict(spec), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# --- the gate every authoring change passes -------------------------------------------------------


def ensure_editable(course: Course) -> None:
    """Refuse a change members would see unreviewed, or a change to content waiting for review."""
    if pending_review(course) is not None:
        raise CourseError(
            _(
                "This course is waiting for review: it cannot change until a reviewer decides, or you withdraw it."
            )
        )
    if review_required() and course.is_published:
        raise CourseError(
            _(
                "Changes to a published course are reviewed first: edit its new revision instead (“Edit a new revision”)."
            )
        )


def ensure_publishable(course: Course) -> None:
    """Publishing directly is refused when review is on, and for a working copy always."""
    if course.draft_of_id is not None:
        raise CourseError(
            _("A working copy reaches members when a reviewer approves it: submit it for review.")
        )
    if review_required():
        raise CourseError(_("Courses are reviewed before publishing here: submit the course for review."))


def upload_as_draft(existing: Course | None) -> bool:
    """Check a .zip upload of a course: with review on, a new or draft course arrives as a draft
    (whatever its course.yml says); a published or waiting one is refused."""
    if existing is not None and pending_review(existing) is not None:
        raise CourseError(_("This course is waiting for review: upload again after the decision."))
    if not review_required():
        return False
    if existing is not None and existing.is_published:
        raise CourseError(
            _(
                "This course is published and changes are reviewed first: edit its new revision in the browser."
            )
        )
    return True


# --- working copies -------------------------------------------------------------------------------


def _copy_slug(course: Course) -> str:
    suffix = f"-revision-{course.id}"
    return f"{course.slug[: 80 - len(suffix)]}{suffix}"


def _carry_links(source: Course, target: Course, quizzes: bool) -> None:
    """Give the target's lessons the videos of the source's lessons with the same key (the source is
    the truth: its trainer picked them), and with ``quizzes`` the quiz of an unchanged quiz lesson."""
    lessons = db.session.scalars(select(Lesson).where(Lesson.course_id == source.id))
    by_key = {lesson.key: lesson for lesson in lessons}
    for module in target.modules:
        for lesson in module.current_lessons:
            match = by_key.get(lesson.key)
            if match is None or match.kind is not lesson.kind:
                continue
            if lesson.kind is LessonKind.VIDEO:
                lesson.video_id = match.video_id
            elif quizzes and lesson.kind is LessonKind.QUIZ and match.content_hash == lesson.content_hash:
                lesson.quiz_id = match.quiz_id


def _sync_copy(copy: Course, published: Course) -> None:
    """Make the working copy what the published course is now (the caller commits)."""
    spec = replace(course_spec(published), slug=copy.slug, status=CourseStatus.DRAFT)
    apply_spec(copy, spec, ImportResult(course=copy), None, None, RevisionOrigin.BROWSER)
    db.session.flush()
    _carry_links(published, copy, quizzes=True)
    copy.synced_at = copy.updated_at = utcnow()


def start_revision(published: Course, editor: User) -> Course:
    """The working copy of a published course, made (or brought up to date) for editing."""
    if published.draft_of_id is not None or not published.is_published:
        raise CourseError(_("Only a published course has new revisions; edit this course directly."))
    copy = working_copy_of(published)
    if copy is None:
        copy = Course(
            slug=_copy_slug(published),
            title=published.title,
            owner=published.owner,
            status=CourseStatus.DRAFT,
            draft_of=published,
            source_dir=published.source_dir,  # its cover and attachments are the published course's
        )
        db.session.add(copy)
        db.session.flush()
        _sync_copy(copy, published)
        record_audit(editor, "course.revision_started", "course", published.id, {"working_copy": copy.id})
    elif (
        pending_review(copy) is None
        and copy.synced_at is not None
        and copy.updated_at <= copy.synced_at
        and published.updated_at > copy.synced_at
    ):
        _sync_copy(copy, published)  # the published course changed (a folder import) and the copy did not
    db.session.commit()
    return copy


def copy_is_behind(copy: Course) -> bool:
    """Whether the published course changed after the copy was made and the copy has edits of its own."""
    published = copy.draft_of
    return published is not None and copy.synced_at is not None and published.updated_at > copy.synced_at


@dataclass
class ReviewState:
    """What the course editor shows about review."""

    required: bool
    pending: CourseReview | None
    latest: CourseReview | None
    working_copy: Course | None  # of a published course
    behind: bool  # a working copy whose published course changed after the copy was edited
    published_under_review: bool  # review is on and the course is published: edited through its copy

    @property
    def locked(self) -> bool:
        """Whether the editor's forms are closed (every change would be refused)."""
        return self.pending is not None or self.published_under_review


def review_state(course: Course) -> ReviewState:
    required = review_required()
    return ReviewState(
        required=required,
        pending=pending_review(course),
        latest=latest_review(course),
        working_copy=working_copy_of(course) if course.is_published else None,
        behind=course.draft_of_id is not None and copy_is_behind(course),
        published_under_review=required and course.is_published,
    )


# --- submitting and deciding ----------------------------------------------------------------------


def submit(course: Course, trainer: User, note: str = "") -> CourseReview:
    """Submit a draft course or a working copy for review; the course is frozen until a decision."""
    if not review_required() and course.draft_of_id is None:
        raise CourseError(_("Review is not turned on here: publish the course directly."))
    if course.is_published:
        raise CourseError(_("This course is published: edit its new revision and submit that."))
    if pending_review(course) is not None:
        raise CourseError(_("This course is already waiting for review."))
    if not any(module.current_lessons for module in course.modules if module.removed_at is None):
        raise CourseError(_("Add at least one lesson before submitting the course."))
    digest = content_digest(course)
    if course.draft_of is not None and digest == content_digest(course.draft_of):
        raise CourseError(_("This revision is the same as the published course: change something first."))
    if len(note) > NOTE_MAX_CHARS:
        raise CourseError(_("The note is too long (at most %(count)d characters).", count=NOTE_MAX_CHARS))
    review = CourseReview(course=course, content_hash=digest, note=note.strip(), submitted_by=trainer)
    db.session.add(review)
    db.session.flush()
    record_audit(trainer, "course.submit", "course", _audited_course_id(course), {"review": review.id})
    db.session.commit()
    return review


def withdraw(course: Course, trainer: User) -> None:
    """Take a submission back before a decision, to change it."""
    review = pending_review(course)
    if review is None:
        raise CourseError(_("This course is not waiting for review."))
    review.status = ReviewStatus.WITHDRAWN
    review.decided_at = utcnow()
    record_audit(trainer, "course.withdraw", "course", _audited_course_id(course), {"review": review.id})
    db.session.commit()


def _audited_course_id(course: Course) -> int:
    """Audit entries name the course members know: the published one for a working copy."""
    return course.draft_of_id or course.id


def may_decide(reviewer: User, review: CourseReview) -> bool:
    """A reviewer decides on others' courses only: not one they submitted or own."""
    return (
        permissions.can_review(reviewer)
        and review.submitted_by_id != reviewer.id
        and review.course.owner_id != reviewer.id
        and (review.course.draft_of is None or review.course.draft_of.owner_id != reviewer.id)
    )


def _decidable(review: CourseReview, reviewer: User) -> None:
    if not may_decide(reviewer, review):
        raise CourseError(_("You cannot decide on a course you submitted or own; another reviewer must."))
    if review.status is not ReviewStatus.PENDING:
        raise CourseError(_("This submission has already been decided or withdrawn."))


def approve(review: CourseReview, reviewer: User, comments: str = "") -> Course:
    """Publish what was submitted; return the published course."""
    _decidable(review, reviewer)
    course = review.course
    if content_digest(course) != review.content_hash:  # frozen while pending; guards against a bug
        raise CourseError(_("The course changed after it was submitted; ask the trainer to submit it again."))
    result = None
    if course.draft_of is not None:
        published = course.draft_of
        spec = replace(course_spec(course), slug=published.slug, status=CourseStatus.PUBLISHED)
        result = ImportResult(course=published)
        apply_spec(published, spec, result, review.submitted_by, None, RevisionOrigin.REVIEW)
        db.session.flush()
        _carry_links(course, published, quizzes=False)
        course.synced_at = course.updated_at = utcnow()
    else:
        published = course
        course.status = CourseStatus.PUBLISHED
        course.published_at = course.published_at or utcnow()
        course.updated_at = utcnow()
    _decide(review, reviewer, ReviewStatus.APPROVED, comments)
    db.session.commit()
    if result is not None:
        link_quizzes(result, published.owner)  # a changed quiz lesson gets the quiz of its new text
    return published


def return_for_changes(review: CourseReview, reviewer: User, comments: str) -> None:
    """Send the course back to its trainer with the reviewer's comments (required)."""
    _decidable(review, reviewer)
    if not comments.strip():
        raise CourseError(_("Say what should change: comments are required when returning a course."))
    _decide(review, reviewer, ReviewStatus.RETURNED, comments)
    db.session.commit()


def _decide(review: CourseReview, reviewer: User, status: ReviewStatus, comments: str) -> None:
    if len(comments) > NOTE_MAX_CHARS:
        raise CourseError(
            _("The comments are too long (at most %(count)d characters).", count=NOTE_MAX_CHARS)
        )
    review.status = status
    review.reviewer = reviewer
    review.decided_at = utcnow()
    review.comments = comments.strip()
    action = "course.approve" if status is ReviewStatus.APPROVED else "course.return"
    record_audit(reviewer, action, "course", _audited_course_id(review.course), {"review": review.id})


# --- what reviewers see ---------------------------------------------------------------------------


def pending_reviews() -> Select[CourseReview]:
    return (
        select(CourseReview)
        .where(CourseReview.status == ReviewStatus.PENDING)
        .order_by(CourseReview.submitted_at, CourseReview.id)
    )


def decided_reviews(limit: int = 20) -> list[CourseReview]:
    return list(
        db.session.scalars(
            select(CourseReview)
            .where(CourseReview.status.in_([ReviewStatus.APPROVED, ReviewStatus.RETURNED]))
            .order_by(CourseReview.decided_at.desc(), CourseReview.id.desc())
            .limit(limit)
        )
    )


def lesson_changes(course: Course) -> dict[str, list[Lesson]]:
    """For a working copy: its lessons added or changed, and the published lessons it removes."""
    current = [
        lesson for module in course.modules if module.removed_at is None for lesson in module.current_lessons
    ]
    if course.draft_of is None:
        return {"added": current, "changed": [], "removed": []}
    published = {
        lesson.key: lesson
        for module in course.draft_of.modules
        if module.removed_at is None
        for lesson in module.current_lessons
    }
    keys = {lesson.key for lesson in current}
    return {
        "added": [lesson for lesson in current if lesson.key not in published],
        "changed": [
            lesson
            for lesson in current
            if lesson.key in published and published[lesson.key].content_hash != lesson.content_hash
        ],
        "removed": [lesson for key, lesson in published.items() if key not in keys],
    }
