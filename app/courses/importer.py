"""Import course folders into the database (in place, idempotent) and export courses back to folders."""

import json
import logging
import shutil
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import User
from app.courses.demo_clip import ensure_demo_clip
from app.courses.errors import CourseError, CourseFormatError
from app.courses.folder import (
    COURSE_FILE,
    FILES_FOLDER,
    LIBRARY_COLLECTION,
    LIBRARY_FOLDER,
    LIBRARY_VIDEO_PREFIX,
    CourseSpec,
    LessonSpec,
    ModuleSpec,
    parse_course_folder,
    write_course_folder,
)
from app.courses.models import (
    Course,
    CourseRevision,
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
from app.media import storage as media_storage
from app.media.services import MediaError, import_video_file
from app.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    course: Course
    created: bool = False
    course_changed: bool = False
    source_moved: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or self.course_changed or bool(self.added or self.updated or self.removed)


def courses_dir() -> Path:
    return Path(current_app.config["COURSES_DIR"])


def source_dir_value(folder: Path) -> str:
    """Store a folder inside COURSES_DIR relative to it, so the site can move; others absolutely."""
    folder = folder.resolve()
    base = courses_dir().resolve()
    return folder.relative_to(base).as_posix() if folder.is_relative_to(base) else str(folder)


def course_folder(course: Course) -> Path | None:
    """Return the folder a course was imported from, when it still exists."""
    if not course.source_dir:
        return None
    folder = Path(course.source_dir)
    folder = folder if folder.is_absolute() else courses_dir() / folder
    return folder if folder.is_dir() else None


def import_course(
    folder: Path, owner: User | None = None, as_draft: bool = False, uploaded_by: User | None = None
) -> ImportResult:
    """Import one course folder (``as_draft``: whatever its course.yml says, members do not see it
    yet); on any error nothing of that course is written. ``uploaded_by`` is the trainer who uploaded
    it through the site: its library documents become theirs and may not replace another account's."""
    ensure_demo_clip(Path(folder))
    spec = parse_course_folder(Path(folder), reading_check=library.reading_target_problem)
    import_course_documents(Path(folder), uploaded_by)
    if as_draft:
        spec = replace(spec, status=CourseStatus.DRAFT)
    try:
        result = _apply(spec, owner, source_dir_value(Path(folder)))
        if result.changed or result.source_moved:
            db.session.commit()
        else:
            db.session.rollback()
    except Exception:
        db.session.rollback()
        raise
    link_videos(result, owner)
    link_quizzes(result, owner)
    return result


def import_course_documents(folder: Path, uploaded_by: User | None = None) -> None:
    """Import the course folder's library/ documents into the theory library (unchanged ones stay as
    they are), so that its reading lessons find them under the identifiers the folder gives them; as
    ``uploaded_by``'s when a trainer uploaded the folder (see library.import_paths)."""
    documents = folder / LIBRARY_FOLDER
    if not documents.is_dir():
        return
    report = library.import_paths([documents], LIBRARY_COLLECTION, user=uploaded_by)
    for outcome in report.outcomes:
        label = f"{folder.name}/{LIBRARY_FOLDER}/{Path(outcome.path).relative_to(documents).as_posix()}"
        if outcome.status == "refused":
            raise CourseFormatError(label, None, outcome.reason)
        expected = library.document_key(Path(outcome.path).relative_to(documents).with_suffix("").as_posix())
        found = library.get_document(outcome.document_id) if outcome.document_id is not None else None
        if found is not None and found.key != expected:
            raise CourseFormatError(
                label,
                None,
                _(
                    "in the theory library this file is the document %(key)s, not %(expected)s (another "
                    "document has that identifier, or the same text is there under another one); point "
                    "the lesson at the identifier it should read",
                    key=found.key,
                    expected=expected,
                ),
            )


def link_quizzes(result: ImportResult, owner: User | None) -> None:
    """Make the quiz of each new or changed quiz lesson (its GIFT was checked when the folder was read)."""
    changed = set(result.added) | set(result.updated)
    for module in result.course.modules:
        for lesson in module.current_lessons:
            if lesson.kind is LessonKind.QUIZ and (lesson.quiz_id is None or lesson.key in changed):
                link_quiz(lesson, owner)


def link_videos(result: ImportResult, owner: User | None) -> None:
    """Add each new or changed video lesson's file to the video library and link it to the lesson.

    The media services keep it by content hash (the same file is one video) and queue its transcoding.
    A file the library refuses leaves the lesson without a video; the lesson page says so.
    """
    folder = course_folder(result.course)
    changed = set(result.added) | set(result.updated)
    for module in result.course.modules:
        for lesson in module.current_lessons:
            if lesson.kind is not LessonKind.VIDEO or not lesson.video_path or folder is None:
                continue
            if lesson.video_id is not None and lesson.key not in changed:
                continue
            try:
                video, _new = import_video_file(folder / lesson.video_path, owner)
            except MediaError as error:
                log.warning("lesson %s: video %s refused: %s", lesson.key, lesson.video_path, error.message)
                video = None
            lesson.video_id = video.id if video else None
            db.session.commit()


def _apply(spec: CourseSpec, owner: User | None, source_dir: str | None) -> ImportResult:
    now = utcnow()
    course = db.session.scalar(select(Course).where(Course.slug == spec.slug))
    if course is None:
        course = Course(slug=spec.slug, owner=owner, created_at=now)
        db.session.add(course)
        result = ImportResult(course=course, created=True)
    else:
        result = ImportResult(course=course)
        if course.owner_id is None and owner is not None:
            course.owner = owner
    apply_spec(course, spec, result, owner, source_dir, RevisionOrigin.FOLDER)
    return result


def apply_spec(
    course: Course,
    spec: CourseSpec,
    result: ImportResult,
    editor: User | None,
    source_dir: str | None,
    origin: RevisionOrigin,
) -> None:
    """Make the course what the spec describes (the caller commits): lessons are matched by key, so
    progress on unchanged ones stays; a published course that changed gets a revision."""
    now = utcnow()
    fields = {
        "title": spec.title,
        "summary": spec.summary,
        "credit_hours": spec.credit_hours,
        "cover": spec.cover,
        "audience": spec.audience,
        "status": spec.status,
        "final_exam_key": spec.final_exam,
    }
    if source_dir is not None and course.source_dir != source_dir:
        course.source_dir = source_dir  # where its media files are now; not a change of content
        result.source_moved = True
    for name, value in fields.items():
        if getattr(course, name) != value:
            setattr(course, name, value)
            result.course_changed = True
    if course.tag_names != spec.tags:
        course.tags = [CourseTag(name=name, position=index) for index, name in enumerate(spec.tags)]
        result.course_changed = True
    if course.status is CourseStatus.PUBLISHED and course.published_at is None:
        course.published_at = now
    _apply_modules(course, spec.modules, result, now)
    if result.changed:
        course.updated_at = now
        record_revision(
            course,
            origin,
            editor,
            added=len(result.added),
            updated=len(result.updated),
            removed=len(result.removed),
        )


def record_revision(
    course: Course,
    origin: RevisionOrigin,
    editor: User | None,
    added: int = 0,
    updated: int = 0,
    removed: int = 0,
) -> CourseRevision | None:
    """Append a revision when a published course changed (the caller commits); drafts keep none."""
    if course.status is not CourseStatus.PUBLISHED:
        return None
    db.session.flush()  # the course, its modules and lessons have ids and current values
    last = db.session.scalar(
        select(func.max(CourseRevision.number)).where(CourseRevision.course_id == course.id)
    )
    snapshot = json.loads(json.dumps(asdict(course_spec(course)), ensure_ascii=False, default=str))
    revision = CourseRevision(
        course=course,
        number=(last or 0) + 1,
        origin=origin,
        created_by=editor,
        lessons_added=added,
        lessons_updated=updated,
        lessons_removed=removed,
        snapshot=snapshot,
    )
    db.session.add(revision)
    return revision


def course_revisions(course: Course, limit: int = 20) -> list[CourseRevision]:
    return list(
        db.session.scalars(
            select(CourseRevision)
            .where(CourseRevision.course_id == course.id)
            .order_by(CourseRevision.number.desc())
            .limit(limit)
        )
    )


def _apply_modules(course: Course, modules: list[ModuleSpec], result: ImportResult, now: datetime) -> None:
    existing_modules = {module.key: module for module in course.modules}
    existing_lessons = {lesson.key: lesson for module in course.modules for lesson in module.lessons}
    wanted_modules: set[str] = set()
    wanted_lessons: set[str] = set()
    for position, spec in enumerate(modules, start=1):
        wanted_modules.add(spec.key)
        module = existing_modules.get(spec.key)
        if module is None:
            module = Module(key=spec.key, title=spec.title, summary=spec.summary, position=position)
            course.modules.append(module)
            result.course_changed = True
        for name, value in (("title", spec.title), ("summary", spec.summary), ("position", position)):
            if getattr(module, name) != value:
                setattr(module, name, value)
                result.course_changed = True
        if module.removed_at is not None:
            module.removed_at = None
            result.course_changed = True
        for lesson_position, lesson_spec in enumerate(spec.lessons, start=1):
            wanted_lessons.add(lesson_spec.key)
            _apply_lesson(course, module, lesson_spec, lesson_position, existing_lessons, result, now)
    for key, lesson in existing_lessons.items():
        if key not in wanted_lessons and lesson.removed_at is None:
            lesson.removed_at = now  # kept, so members' recorded progress on it stays
            result.removed.append(key)
    for key, module in existing_modules.items():
        if key not in wanted_modules and module.removed_at is None:
            if module.lessons:
                module.removed_at = now
            else:
                course.modules.remove(module)
                db.session.delete(module)
            result.course_changed = True


def _apply_lesson(
    course: Course,
    module: Module,
    spec: LessonSpec,
    position: int,
    existing: dict[str, Lesson],
    result: ImportResult,
    now: datetime,
) -> None:
    lesson = existing.get(spec.key)
    content_hash = spec.content_hash
    if lesson is None:
        lesson = Lesson(key=spec.key, course=course, position=position, created_at=now, updated_at=now)
        fill_lesson(lesson, spec, content_hash)
        db.session.add(lesson)  # before joining the module: SQLAlchemy 2 does not cascade along backrefs
        lesson.module = module
        result.added.append(spec.key)
        return
    placement_changed = lesson.module is not module or lesson.position != position
    if lesson.content_hash != content_hash or lesson.removed_at is not None or placement_changed:
        if lesson.content_hash != content_hash or lesson.removed_at is not None:
            fill_lesson(lesson, spec, content_hash)
            lesson.updated_at = now
            lesson.removed_at = None
            result.updated.append(spec.key)
        else:
            result.course_changed = True
        lesson.module = module
        lesson.position = position


def fill_lesson(lesson: Lesson, spec: LessonSpec, content_hash: str) -> None:
    lesson.title = spec.title
    lesson.kind = spec.kind
    lesson.estimated_minutes = spec.minutes
    lesson.completion = spec.completion
    lesson.body = spec.body
    lesson.video_path = spec.video
    lesson.reading_document = spec.document
    lesson.reading_section = spec.section
    lesson.quiz_path = spec.quiz
    lesson.quiz_source = spec.quiz_source
    lesson.quiz_settings = dict(spec.quiz_settings)
    lesson.live_starts_at = spec.starts
    lesson.live_speaker = spec.speaker
    lesson.content_hash = content_hash


def lesson_spec(lesson: Lesson) -> LessonSpec:
    return LessonSpec(
        key=lesson.key,
        title=lesson.title,
        kind=lesson.kind,
        minutes=lesson.estimated_minutes,
        completion=lesson.completion,
        body=lesson.body,
        video=lesson.video_path,
        document=lesson.reading_document,
        section=lesson.reading_section,
        quiz=lesson.quiz_path,
        quiz_source=lesson.quiz_source,
        quiz_settings=dict(lesson.quiz_settings or {}),
        starts=lesson.live_starts_at,
        speaker=lesson.live_speaker,
    )


def course_spec(course: Course) -> CourseSpec:
    """Describe a course as the folder format does (current modules and lessons only)."""
    return CourseSpec(
        slug=course.slug,
        title=course.title,
        summary=course.summary,
        credit_hours=course.credit_hours,
        cover=course.cover,
        tags=course.tag_names,
        audience=course.audience,
        status=course.status,
        final_exam=course.final_exam_key,
        modules=[
            ModuleSpec(
                key=module.key,
                title=module.title,
                summary=module.summary,
                lessons=[lesson_spec(lesson) for lesson in module.current_lessons],
            )
            for module in course.modules
            if module.removed_at is None
        ],
    )


def _export_library_videos(course: Course, folder: Path) -> None:
    """Copy the files of lessons' videos picked from the video library to where their lessons name them."""
    for module in course.modules:
        for lesson in module.current_lessons:
            path = lesson.video_path or ""
            if lesson.video is None or not path.startswith(LIBRARY_VIDEO_PREFIX):
                continue
            destination = folder / PurePosixPath(path)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(media_storage.absolute(lesson.video.source_path), destination)


def export_course(course: Course, target: Path) -> Path:
    """Write the course into ``target``/<slug> in the folder format; return that folder."""
    folder = Path(target) / course.slug
    if folder.exists() and any(folder.iterdir()):
        raise CourseError(_("%(path)s already exists and is not empty.", path=str(folder)))
    _export_library_videos(course, folder)
    written = write_course_folder(course_spec(course), Path(target), assets_from=course_folder(course))
    source = course_folder(course) or courses_dir() / course.slug
    for extra in (FILES_FOLDER, LIBRARY_FOLDER):  # attachments, and the documents its lessons read
        if (source / extra).is_dir():
            shutil.copytree(source / extra, written / extra, dirs_exist_ok=True)
    return written


@dataclass
class SyncReport:
    results: list[ImportResult] = field(default_factory=list)
    errors: list[CourseFormatError | CourseError] = field(default_factory=list)


def sync_courses(owner: User | None = None) -> SyncReport:
    """Import every course folder in COURSES_DIR; a broken folder is reported and the others go on."""
    report = SyncReport()
    base = courses_dir()
    if not base.is_dir():
        return report
    for folder in sorted(path for path in base.iterdir() if (path / COURSE_FILE).is_file()):
        try:
            report.results.append(import_course(folder, owner))
        except CourseError as error:
            report.errors.append(error)
    return report
