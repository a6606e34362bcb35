"""Authoring in the browser: create and edit courses, modules and lessons, reorder, publish."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import Select, select

from app.auth.models import User
from app.courses import review
from app.courses.errors import CourseError, LessonFieldError
from app.courses.folder import LIBRARY_VIDEO_PREFIX, QUIZ_SETTINGS, SLUG_PATTERN, LessonSpec, stored_time
from app.courses.importer import fill_lesson, lesson_spec, record_revision
from app.courses.models import (
    COMPLETION_RULES,
    CompletionRule,
    Course,
    CourseStatus,
    CourseTag,
    Lesson,
    LessonKind,
    Module,
    RevisionOrigin,
)
from app.courses.quiz_link import link_quiz
from app.extensions import db
from app.library import services as library
from app.media.models import Video, VideoStatus
from app.media.permissions import scoped_videos
from app.quizzes.gift import parse_gift
from app.timeutil import utcnow

# Kinds a trainer can create in the browser (a video lesson picks a video from the video library).
BROWSER_KINDS = (LessonKind.TEXT, LessonKind.VIDEO, LessonKind.READING, LessonKind.QUIZ, LessonKind.LIVE)


@dataclass
class CourseFields:
    title: str
    summary: str = ""
    credit_hours: Decimal = Decimal("0")
    tags: list[str] = field(default_factory=list)
    audience: str = ""


@dataclass
class LessonFields:
    title: str
    kind: LessonKind
    minutes: int
    completion: CompletionRule | None = None
    body: str = ""
    document: str | None = None
    section: str | None = None
    quiz_source: str | None = None
    quiz_settings: dict[str, Any] = field(default_factory=dict)
    video_id: int | None = None  # a video from the video library, for a video lesson
    starts: datetime | None = None  # a live lesson's start, in the display time zone (no zone)
    speaker: str | None = None


def _changed(course: Course, editor: User | None, added: int = 0, updated: int = 0, removed: int = 0) -> None:
    """Mark the course changed; a published course gets a new revision (the caller commits).

    Every authoring change passes here, so this is where review (when on) stops a change members would
    see unreviewed, or one to a course waiting for review: nothing of it is kept.
    """
    try:
        review.ensure_editable(course)
    except CourseError:
        db.session.rollback()
        raise
    course.updated_at = utcnow()
    record_revision(course, RevisionOrigin.BROWSER, editor, added=added, updated=updated, removed=removed)


def parse_tags(text: str) -> list[str]:
    """Split "党章, 入门" (commas, 、 or spaces) into distinct tags."""
    tags: list[str] = []
    for raw in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
        tag = raw.strip()
        if tag and tag not in tags:
            if len(tag) > 50:
                raise CourseError(_("Each tag must be at most 50 characters."))
            tags.append(tag)
    return tags


def _set_course_fields(course: Course, fields: CourseFields) -> bool:
    """Validate and set the course's fields; return whether any of them changed."""
    if not fields.title.strip():
        raise CourseError(_("The course needs a title."))
    if fields.credit_hours is None or not 0 <= fields.credit_hours <= 999:
        raise CourseError(_("Credit hours must be between 0 and 999."))
    values = {
        "title": fields.title.strip(),
        "summary": fields.summary.strip(),
        "credit_hours": fields.credit_hours.quantize(Decimal("0.1")),
        "audience": fields.audience.strip(),
    }
    changed = False
    for name, value in values.items():
        if getattr(course, name) != value:
            setattr(course, name, value)
            changed = True
    if course.tag_names != fields.tags:
        course.tags = [CourseTag(name=name, position=index) for index, name in enumerate(fields.tags)]
        changed = True
    return changed


def create_course(owner: User, slug: str, fields: CourseFields) -> Course:
    """Create a draft course owned by ``owner``."""
    slug = slug.strip().lower()
    if not SLUG_PATTERN.fullmatch(slug):
        raise CourseError(_("The short name may hold only lower-case letters, digits and hyphens (2–80)."))
    if db.session.scalar(select(Course.id).where(Course.slug == slug)):
        raise CourseError(_('A course with the short name "%(slug)s" already exists.', slug=slug))
    course = Course(slug=slug, owner=owner, status=CourseStatus.DRAFT, updated_at=utcnow())
    _set_course_fields(course, fields)
    db.session.add(course)
    db.session.commit()
    return course


def update_course(course: Course, fields: CourseFields, editor: User | None = None) -> None:
    if _set_course_fields(course, fields):
        _changed(course, editor)
    db.session.commit()


def set_status(course: Course, status: CourseStatus, editor: User | None = None) -> None:
    """Publish a course (members then see it) or take it back to draft."""
    if status is CourseStatus.PUBLISHED:
        review.ensure_publishable(course)
        if not any(m.current_lessons for m in course.modules):
            raise CourseError(_("Add at least one lesson before publishing."))
    course.status = status
    if status is CourseStatus.PUBLISHED and course.published_at is None:
        course.published_at = utcnow()
    _changed(course, editor)
    db.session.commit()


def _free_key(taken: set[str], prefix: str) -> str:
    number = len(taken) + 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def add_module(course: Course, title: str, summary: str = "", editor: User | None = None) -> Module:
    if not title.strip():
        raise CourseError(_("The module needs a title."))
    key = _free_key({module.key for module in course.modules}, "module-")
    position = max((module.position for module in course.modules), default=0) + 1
    module = Module(key=key, title=title.strip(), summary=summary.strip(), position=position)
    course.modules.append(module)
    _changed(course, editor)
    db.session.commit()
    return module


def update_module(module: Module, title: str, summary: str = "", editor: User | None = None) -> None:
    if not title.strip():
        raise CourseError(_("The module needs a title."))
    module.title, module.summary = title.strip(), summary.strip()
    _changed(module.course, editor)
    db.session.commit()


Ordered = TypeVar("Ordered", Module, Lesson)


def _swap(items: list[Ordered], item: Ordered, direction: int) -> None:
    """Swap ``item`` with its neighbour (direction -1 up, +1 down) and renumber positions 1..n."""
    index = items.index(item)
    other = index + direction
    if direction not in (-1, 1) or not 0 <= other < len(items):
        raise CourseError(_("It is already at that end."))
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position


def current_modules(course: Course) -> list[Module]:
    return [module for module in course.modules if module.removed_at is None]


def move_module(module: Module, direction: int, editor: User | None = None) -> None:
    _swap(current_modules(module.course), module, direction)
    _changed(module.course, editor)
    db.session.commit()


def move_lesson(lesson: Lesson, direction: int, editor: User | None = None) -> None:
    _swap(lesson.module.current_lessons, lesson, direction)
    _changed(lesson.course, editor)
    db.session.commit()


def _reorder(items: list[Ordered], wanted_ids: list[int]) -> None:
    """Put ``items`` in the order of ``wanted_ids``, which must name each of them exactly once."""
    by_id = {item.id: item for item in items}
    if sorted(by_id) != sorted(wanted_ids) or len(set(wanted_ids)) != len(wanted_ids):
        raise CourseError(
            _("The new order does not match the course as it is now: reload the page and try again.")
        )
    for position, item_id in enumerate(wanted_ids, start=1):
        by_id[item_id].position = position


def reorder_modules(course: Course, module_ids: list[int], editor: User | None = None) -> None:
    """Put the course's modules in the order given (as dragged on the editing page)."""
    _reorder(current_modules(course), module_ids)
    _changed(course, editor)
    db.session.commit()


def reorder_lessons(module: Module, lesson_ids: list[int], editor: User | None = None) -> None:
    """Put the module's lessons in the order given; lessons stay in their module (their key names it)."""
    _reorder(module.current_lessons, lesson_ids)
    _changed(module.course, editor)
    db.session.commit()


def remove_module(module: Module, editor: User | None = None) -> int:
    """Take a module and its lessons out of the course; lessons are kept so recorded progress stays.

    Returns how many lessons were taken out. A module that never held a lesson is deleted outright.
    """
    course = module.course
    now = utcnow()
    removed = module.current_lessons
    for lesson in removed:
        lesson.removed_at = now
    if module.lessons:
        module.removed_at = now
    else:
        course.modules.remove(module)
        db.session.delete(module)
    for position, each in enumerate(current_modules(course), start=1):
        each.position = position
    _changed(course, editor, removed=len(removed))
    db.session.commit()
    return len(removed)


def pickable_videos(editor: User) -> Select[Video]:
    """Select the videos a trainer may put in a lesson: the library's, except those that failed."""
    return scoped_videos(editor).where(Video.status != VideoStatus.FAILED).order_by(Video.created_at.desc())


def _pickable_video(video_id: int, editor: User | None) -> Video:
    video = (
        db.session.scalar(pickable_videos(editor).where(Video.id == video_id)) if editor is not None else None
    )
    if video is None:
        raise CourseError(_("That video is not in the video library, or its transcoding failed."))
    return video


def library_video_path(video: Video) -> str:
    """Where a library video sits in the course folder format: exported there, imported back by hash."""
    return f"{LIBRARY_VIDEO_PREFIX}{video.sha256[:16]}{PurePosixPath(video.source_path).suffix}"


def _validated_spec(
    key: str, fields: LessonFields, existing: Lesson | None, editor: User | None
) -> LessonSpec:
    if not fields.title.strip():
        raise CourseError(_("The lesson needs a title."))
    if not 1 <= fields.minutes <= 600:
        raise CourseError(_("The estimated time must be from 1 to 600 minutes."))
    rules = COMPLETION_RULES[fields.kind]
    completion = fields.completion or rules[0]
    if completion not in rules:
        raise CourseError(_("This completion rule does not suit this kind of lesson."))
    spec = LessonSpec(
        key=key,
        title=fields.title.strip(),
        kind=fields.kind,
        minutes=fields.minutes,
        completion=completion,
        body=fields.body.replace("\r\n", "\n").strip("\n"),
    )
    if fields.kind is LessonKind.VIDEO:
        if fields.video_id is not None:
            spec.video = library_video_path(_pickable_video(fields.video_id, editor))
        elif existing is not None and existing.video_path:
            spec.video = existing.video_path
        else:
            raise CourseError(_("Choose the lesson's video from the video library."))
    elif fields.kind is LessonKind.READING:
        document = (fields.document or "").strip()
        if not document:
            raise LessonFieldError(
                "document", _("Choose the document the lesson reads from the theory library.")
            )
        spec.document = document
        spec.section = (fields.section or "").strip() or None
        problem = library.reading_target_problem(spec.document, spec.section)
        if problem:
            raise LessonFieldError(*problem)
    elif fields.kind is LessonKind.QUIZ:
        source = (fields.quiz_source or "").replace("\r\n", "\n").strip("\n")
        parsed = parse_gift(source)
        if not source.strip() or not parsed.questions:
            raise CourseError(_("A quiz lesson needs its questions in GIFT format."))
        if parsed.errors:
            line, message = parsed.errors[0]
            raise CourseError(_("GIFT line %(line)d: %(problem)s", line=line, problem=message))
        spec.quiz_source = source + "\n"
        spec.quiz = (
            existing.quiz_path if existing and existing.quiz_path else f"{key.rsplit('/', 1)[-1]}.gift"
        )
        for name, value in fields.quiz_settings.items():
            if name not in QUIZ_SETTINGS:
                raise CourseError(_("Unknown quiz setting."))
            spec.quiz_settings[name] = value
    elif fields.kind is LessonKind.LIVE:
        if fields.starts is None:
            raise LessonFieldError("live_starts", _("Give the date and time the broadcast starts."))
        spec.starts = stored_time(fields.starts)
        spec.speaker = (fields.speaker or "").strip() or None
    return spec


def _fill(lesson: Lesson, spec: LessonSpec, fields: LessonFields) -> None:
    fill_lesson(lesson, spec, spec.content_hash)
    if fields.video_id is not None and spec.kind is LessonKind.VIDEO:
        lesson.video_id = fields.video_id


def add_lesson(module: Module, fields: LessonFields, editor: User | None = None) -> Lesson:
    course = module.course
    # A working copy's new lesson must not take the key of one its published course removed.
    courses = [course.id] + ([course.draft_of_id] if course.draft_of_id else [])
    taken = {
        key.rsplit("/", 1)[-1]
        for key in db.session.scalars(select(Lesson.key).where(Lesson.course_id.in_(courses)))
    }
    key = f"{module.key}/{_free_key(taken, 'lesson-')}"
    spec = _validated_spec(key, fields, None, editor)
    position = max((each.position for each in module.current_lessons), default=0) + 1
    lesson = Lesson(key=key, course=course, position=position)
    _fill(lesson, spec, fields)
    db.session.add(lesson)  # before joining the module: SQLAlchemy 2 does not cascade along backrefs
    lesson.module = module
    _changed(course, editor, added=1)
    db.session.commit()
    link_quiz(lesson, editor)
    return lesson


def update_lesson(lesson: Lesson, fields: LessonFields, editor: User | None = None) -> bool:
    """Save the lesson; return whether its content changed (progress on it is always kept)."""
    spec = _validated_spec(lesson.key, fields, lesson, editor)
    if spec.content_hash == lesson_spec(lesson).content_hash:
        return False
    _fill(lesson, spec, fields)
    lesson.updated_at = utcnow()
    _changed(lesson.course, editor, updated=1)
    db.session.commit()
    link_quiz(lesson, editor)
    return True


def remove_lesson(lesson: Lesson, editor: User | None = None) -> None:
    """Take a lesson out of the course; it is kept so recorded progress on it stays."""
    lesson.removed_at = utcnow()
    siblings = lesson.module.current_lessons
    for position, each in enumerate(siblings, start=1):
        each.position = position
    _changed(lesson.course, editor, removed=1)
    db.session.commit()


def document_choices(text: str) -> list[dict[str, str]]:
    """Theory-library documents a reading lesson can read, matching ``text`` (the lesson form's picker)."""
    return [
        {"key": document.key, "title": document.title, "collection": document.collection.name}
        for document in library.pickable_documents(text)
    ]


def section_choices(key: str | None) -> list[tuple[str, str]]:
    """(value, label) of the sections of the document ``key``: a section is named by its heading, or by
    its anchor when it has none or shares it with another section (both are what lessons may name)."""
    document = library.get_document_by_key(key) if key else None
    if document is None:
        return []
    headings = [" ".join(section.heading.split()) for section in document.sections]
    choices = []
    for number, (section, heading) in enumerate(zip(document.sections, headings, strict=True), start=1):
        unique = heading and headings.count(heading) == 1
        label = heading or _("Section %(number)d (untitled)", number=number)
        choices.append((heading if unique else section.anchor, label))
    return choices
