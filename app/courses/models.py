"""Courses, their modules and lessons, who must take them (assignments) and who takes them (enrolments)."""

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import Model, str_enum
from app.media.models import Video
from app.org.models import OrgUnit
from app.timeutil import utcnow


class CourseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class LessonKind(enum.StrEnum):
    TEXT = "text"
    VIDEO = "video"
    READING = "reading"
    QUIZ = "quiz"
    LIVE = "live"  # a scheduled broadcast (app/live), its recording the replay


class CompletionRule(enum.StrEnum):
    OPENED = "opened"  # opening the lesson completes it
    WATCHED = "watched"  # the video watched to the end (verified by the progress domain)
    READ = "read"  # the estimated reading time spent on the document
    SUBMITTED = "submitted"  # the quiz submitted once
    PASSED = "passed"  # the quiz passed
    ATTENDED = "attended"  # the live broadcast attended for its share (app/live); a replay does not count


# Which completion rules make sense for which kind of lesson; the first one is the default.
COMPLETION_RULES: dict[LessonKind, tuple[CompletionRule, ...]] = {
    LessonKind.TEXT: (CompletionRule.OPENED,),
    LessonKind.VIDEO: (CompletionRule.WATCHED, CompletionRule.OPENED),
    LessonKind.READING: (CompletionRule.READ, CompletionRule.OPENED),
    LessonKind.QUIZ: (CompletionRule.PASSED, CompletionRule.SUBMITTED),
    # "watched" on a live lesson: attending the broadcast, or watching its replay, completes it.
    LessonKind.LIVE: (CompletionRule.ATTENDED, CompletionRule.WATCHED),
}


class Course(Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    credit_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))  # 学时
    cover: Mapped[str | None] = mapped_column(String(255))  # an image path inside the course folder
    audience: Mapped[str] = mapped_column(String(200), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[CourseStatus] = mapped_column(str_enum(CourseStatus), default=CourseStatus.DRAFT)
    # The folder the course was imported from: relative to COURSES_DIR when inside it.
    source_dir: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # The key of the quiz lesson that is the course's final exam: completion needs it passed.
    final_exam_key: Mapped[str | None] = mapped_column(String(200))
    # With review on, a published course is edited through its working copy: a draft course that
    # points here and reaches members only when a reviewer approves it (app/courses/review.py).
    draft_of_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), unique=True)
    # When the working copy was last made equal to its published course.
    synced_at: Mapped[datetime | None]

    owner: Mapped[User | None] = relationship()
    draft_of: Mapped["Course | None"] = relationship(remote_side=[id])
    tags: Mapped[list["CourseTag"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseTag.position"
    )
    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="Module.position"
    )

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    @property
    def is_published(self) -> bool:
        return self.status is CourseStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class CourseTag(Model):
    __tablename__ = "course_tags"
    __table_args__ = (UniqueConstraint("course_id", "name", name="uq_course_tags_course_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    position: Mapped[int] = mapped_column(default=0)

    course: Mapped[Course] = relationship(back_populates="tags")


class Module(Model):
    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "key", name="uq_modules_course_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    # The folder name without its number ("01-basics" → "basics"): stable when modules are reordered.
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    removed_at: Mapped[datetime | None]  # kept while removed lessons still point at it

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list["Lesson"]] = relationship(back_populates="module", order_by="Lesson.position")

    @property
    def current_lessons(self) -> list["Lesson"]:
        return [lesson for lesson in self.lessons if lesson.removed_at is None]


class Lesson(Model):
    """A lesson; removed lessons are kept (``removed_at``) so recorded progress never disappears."""

    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("course_id", "key", name="uq_lessons_course_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    # "<module key>/<file name without number and .md>": re-import finds the same lesson and updates it.
    key: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[LessonKind] = mapped_column(str_enum(LessonKind))
    estimated_minutes: Mapped[int] = mapped_column(default=10)
    completion: Mapped[CompletionRule] = mapped_column(str_enum(CompletionRule))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    video_path: Mapped[str | None] = mapped_column(String(500))  # inside the course folder
    # That file, added to the video library when the course was imported.
    video_id: Mapped[int | None] = mapped_column(ForeignKey("videos.id", ondelete="SET NULL"), index=True)
    reading_document: Mapped[str | None] = mapped_column(String(200))  # a theory-library identifier
    reading_section: Mapped[str | None] = mapped_column(String(200))
    quiz_path: Mapped[str | None] = mapped_column(String(500))  # a GIFT file inside the course folder
    quiz_source: Mapped[str | None] = mapped_column(Text)  # that file's text, for the quizzes domain
    quiz_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The quiz made from that file (app/courses/quiz_link.py); passing it completes the lesson.
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id", ondelete="SET NULL"), index=True)
    # A live lesson: when its broadcast is scheduled (UTC; its planned length is estimated_minutes)
    # and who speaks. Its description is the body; its replay becomes video_id (app/live).
    live_starts_at: Mapped[datetime | None]
    live_speaker: Mapped[str | None] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()
    module: Mapped[Module] = relationship(back_populates="lessons")
    video: Mapped[Video | None] = relationship()

    def __repr__(self) -> str:
        return f"<Lesson {self.key}>"


class Assignment(Model):
    """A course assigned to a unit, and so to everyone in its subtree, for a year."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("course_id", "unit_id", "year", name="uq_assignments_course_unit_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    year: Mapped[int]
    required: Mapped[bool] = mapped_column(default=True)
    due_date: Mapped[date | None]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()
    unit: Mapped[OrgUnit] = relationship()
    assigned_by: Mapped[User | None] = relationship()


class RevisionOrigin(enum.StrEnum):
    FOLDER = "folder"  # imported from a course folder (CLI, sync or .zip upload)
    BROWSER = "browser"  # edited on the authoring pages
    REVIEW = "review"  # a working copy approved by a reviewer


class CourseRevision(Model):
    """A published course as members saw it after one change: appended, never edited."""

    __tablename__ = "course_revisions"
    __table_args__ = (UniqueConstraint("course_id", "number", name="uq_course_revisions_course_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    origin: Mapped[RevisionOrigin] = mapped_column(str_enum(RevisionOrigin))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lessons_added: Mapped[int] = mapped_column(default=0)
    lessons_updated: Mapped[int] = mapped_column(default=0)
    lessons_removed: Mapped[int] = mapped_column(default=0)
    # The whole course in the folder format's terms (course.yml fields, modules, lessons with bodies).
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    course: Mapped[Course] = relationship()
    created_by: Mapped[User | None] = relationship()


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"  # taken back by the trainer before a decision


class CourseReview(Model):
    """One submission of a course (a draft, or a published course's working copy) for review."""

    __tablename__ = "course_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus), default=ReviewStatus.PENDING, index=True
    )
    # The submitted content's digest: what the reviewer read is what approval publishes.
    content_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")  # the trainer's words to the reviewer
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    comments: Mapped[str] = mapped_column(Text, default="")  # the reviewer's

    course: Mapped[Course] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])


class EnrolmentSource(enum.StrEnum):
    ASSIGNED = "assigned"
    SELF = "self"


class Enrolment(Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("course_id", "user_id", name="uq_enrolments_course_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[EnrolmentSource] = mapped_column(str_enum(EnrolmentSource))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship()
