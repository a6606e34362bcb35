"""The open course folder format (docs/course-format.md): read a folder into specs, write specs back.

Nothing here touches the database: a folder is parsed completely (every error names its file and
line) before the importer writes anything, and the exporter writes exactly what the parser reads.
"""

import enum
import hashlib
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeVar, overload
from zoneinfo import ZoneInfo

import yaml
from flask import current_app
from flask_babel import gettext as _

from app.courses.errors import CourseFormatError
from app.courses.models import COMPLETION_RULES, CompletionRule, CourseStatus, LessonKind
from app.library.importers import ImportRefused, parse_file
from app.library.services import MAX_FILE_BYTES, document_key, expand_paths
from app.quizzes.gift import parse_gift

COURSE_FILE = "course.yml"
FILES_FOLDER = "files"  # images and PDFs attached to lessons, linked as ../files/<name>
MODULE_FILE = "module.yml"
# Documents the course's reading lessons read, shipped with the course: imported into the theory
# library's LIBRARY_COLLECTION with the course, each known by its file name (library/笔记.md → 笔记).
LIBRARY_FOLDER = "library"
LIBRARY_COLLECTION = "学习资料"
# A video lesson that uses a video from the site's video library: exported to this path with the
# video's file, and on import the same bytes are the same library video (videos are kept by hash).
LIBRARY_VIDEO_PREFIX = "media/library-"
FRONT_MATTER_FENCE = "---"
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,79}")
NUMBERED_PATTERN = re.compile(r"(\d{1,4})[-_]([\w-]{1,80})")
MAX_TEXT_BYTES = 1024 * 1024  # one lesson file or GIFT file

COURSE_KEYS = (
    "slug",
    "title",
    "summary",
    "credit_hours",
    "cover",
    "tags",
    "audience",
    "status",
    "final_exam",
)
MODULE_KEYS = ("title", "summary")
LESSON_KEYS = (
    "title",
    "kind",
    "minutes",
    "completion",
    "video",
    "document",
    "section",
    "quiz",
    "quiz_settings",
    "starts",
    "speaker",
)
# Which front matter keys belong to which kind of lesson.
KIND_KEYS = {
    LessonKind.TEXT: set(),
    LessonKind.VIDEO: {"video"},
    LessonKind.READING: {"document", "section"},
    LessonKind.QUIZ: {"quiz", "quiz_settings"},
    LessonKind.LIVE: {"starts", "speaker"},
}
# Quiz settings: name → (type, minimum, maximum); bool settings have no range.
QUIZ_SETTINGS = {
    "pass_score": (int, 0, 100),
    "time_limit": (int, 1, 600),
    "attempts": (int, 1, 100),
    "questions": (int, 1, 500),
    "shuffle": (bool, None, None),
}


@dataclass
class LessonSpec:
    key: str
    title: str
    kind: LessonKind
    minutes: int
    completion: CompletionRule
    body: str
    video: str | None = None
    document: str | None = None
    section: str | None = None
    quiz: str | None = None
    quiz_source: str | None = None
    quiz_settings: dict[str, Any] = field(default_factory=dict)
    starts: datetime | None = None  # a live lesson's scheduled start, naive UTC
    speaker: str | None = None

    @property
    def content_hash(self) -> str:
        """Hash what a member sees of the lesson (not its place in the course)."""
        content = {name: value for name, value in asdict(self).items() if name != "key"}
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class ModuleSpec:
    key: str
    title: str
    summary: str
    lessons: list[LessonSpec] = field(default_factory=list)


@dataclass
class CourseSpec:
    slug: str
    title: str
    summary: str
    credit_hours: Decimal
    cover: str | None
    tags: list[str]
    audience: str
    status: CourseStatus
    modules: list[ModuleSpec] = field(default_factory=list)
    final_exam: str | None = None  # the key of the quiz lesson that decides completion


# Checks that a reading lesson's document (and section) exist in the site's library: returns the
# field at fault ("document" or "section") and the message, or None. The importer passes one.
ReadingCheck = Callable[[str, str | None], tuple[str, str] | None]


@dataclass
class _ReadingTargets:
    """What a reading lesson may point at: the course's own library/ documents, then the site's library."""

    own: dict[str, tuple[str, list[tuple[str, str]]]]  # key → (title, [(anchor, heading)])
    check: ReadingCheck | None

    def problem(self, document: str, section: str | None) -> tuple[str, str] | None:
        if document not in self.own:
            return self.check(document, section) if self.check else None
        title, sections = self.own[document]
        wanted = " ".join((section or "").split())
        if wanted and not any(wanted in (anchor, " ".join(heading.split())) for anchor, heading in sections):
            return "section", _(
                'the document "%(title)s" has no section "%(section)s"', title=title, section=section
            )
        return None


def course_documents(root: Path) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Parse the course's library/ files (as the library will import them): key → (title, sections)."""
    folder = Path(root) / LIBRARY_FOLDER
    documents: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    if not folder.is_dir():
        return documents
    for path, name in expand_paths([folder]):
        label = f"{Path(root).name}/{LIBRARY_FOLDER}/{path.relative_to(folder).as_posix()}"
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CourseFormatError(label, None, _("the file is larger than 16 MB"))
        try:
            parsed = parse_file(path.name, path.read_bytes())
        except ImportRefused as error:
            raise CourseFormatError(label, None, error.reason) from error
        sections = [(f"s{position + 1}", section.heading) for position, section in enumerate(parsed.sections)]
        documents[document_key(name)] = (parsed.title, sections)
    return documents


class _YamlFile:
    """A YAML mapping with the line of each top-level key, for error messages."""

    def __init__(self, text: str, label: str, first_line: int = 1):
        self.label = label
        self.first_line = first_line
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text) if node is not None else {}
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            if error.context_mark and mark is not None and mark.line >= len(text.rstrip("\n").split("\n")):
                mark = error.context_mark  # "unexpected end": point at what was left open instead
            line = first_line + mark.line if mark else None
            raise CourseFormatError(
                label, line, _("invalid YAML: %(problem)s", problem=error.problem)
            ) from error
        except yaml.YAMLError as error:
            raise CourseFormatError(label, None, _("invalid YAML")) from error
        if node is not None and not isinstance(node, yaml.MappingNode):
            raise CourseFormatError(label, first_line, _('expected "key: value" lines'))
        self.data: dict[str, Any] = data or {}
        self.lines: dict[str, int] = {}
        for key_node, _value in node.value if node is not None else []:
            key = str(key_node.value)
            if key in self.lines:
                raise self.error(key, _('"%(key)s" is given twice', key=key), key_node.start_mark.line)
            self.lines[key] = key_node.start_mark.line

    def error(self, key: str | None, problem: str, offset: int | None = None) -> CourseFormatError:
        if offset is None:
            offset = self.lines.get(key, 0) if key else 0
        return CourseFormatError(self.label, self.first_line + offset, problem)

    def check_keys(self, allowed: tuple[str, ...]) -> None:
        for key in self.data:
            if str(key) not in allowed:
                raise self.error(
                    str(key),
                    _('unknown key "%(key)s"; allowed: %(allowed)s', key=key, allowed=", ".join(allowed)),
                )

    @overload
    def text(self, key: str, required: Literal[True], max_length: int = 200) -> str: ...
    @overload
    def text(self, key: str, required: bool = False, max_length: int = 200) -> str | None: ...
    def text(self, key: str, required: bool = False, max_length: int = 200) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise self.error(None, _('"%(key)s" is missing', key=key))
            return None
        if isinstance(value, dict | list | bool):
            raise self.error(key, _('"%(key)s" must be text', key=key))
        value = str(value).strip()
        if len(value) > max_length:
            raise self.error(key, _('"%(key)s" is longer than %(max)d characters', key=key, max=max_length))
        return value


def _read_text(path: Path, label: str) -> str:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise CourseFormatError(label, None, _("the file is larger than 1 MB"))
    try:
        return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        raise CourseFormatError(label, None, _("the file is not UTF-8 text")) from error


def _inside_file(root: Path, relative: str, label: str, line: int) -> Path:
    """Resolve a path written in a file to a file inside the course folder, or fail."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or "\\" in relative:
        raise CourseFormatError(
            label, line, _("%(path)s must be a path inside the course folder", path=relative)
        )
    if NUMBERED_PATTERN.fullmatch(pure.parts[0]) and len(pure.parts) > 1 and (root / COURSE_FILE).exists():
        raise CourseFormatError(
            label, line, _("keep media outside the numbered module folders, for example in media/")
        )
    target = (root / pure).resolve()
    if not target.is_relative_to(root.resolve()) or not target.is_file():
        raise CourseFormatError(label, line, _("%(path)s does not exist in the course folder", path=relative))
    return target


def parse_course_folder(root: Path, reading_check: ReadingCheck | None = None) -> CourseSpec:
    """Read a whole course folder; raise CourseFormatError at the first problem.

    A reading lesson must point at a document of the course's library/ folder or, through
    ``reading_check`` (the importer passes the library's), at one the site's library holds.
    """
    root = Path(root)
    label_base = root.name
    course_file = root / COURSE_FILE
    if not course_file.is_file():
        raise CourseFormatError(f"{label_base}/{COURSE_FILE}", None, _("the course folder has no course.yml"))
    label = f"{label_base}/{COURSE_FILE}"
    meta = _YamlFile(_read_text(course_file, label), label)
    meta.check_keys(COURSE_KEYS)
    slug = meta.text("slug", required=True, max_length=80)
    if not SLUG_PATTERN.fullmatch(slug):
        raise meta.error("slug", _("the slug may hold only lower-case letters, digits and hyphens"))
    course = CourseSpec(
        slug=slug,
        title=meta.text("title", required=True),
        summary=meta.text("summary", max_length=5000) or "",
        credit_hours=_credit_hours(meta),
        cover=meta.text("cover", max_length=255),
        tags=_tags(meta),
        audience=meta.text("audience") or "",
        status=_choice(meta, "status", CourseStatus, CourseStatus.DRAFT),
    )
    if course.cover:
        _inside_file(root, course.cover, label, meta.first_line + meta.lines["cover"])
    targets = _ReadingTargets(course_documents(root), reading_check)
    module_keys: set[str] = set()
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), key=_numbered_sort_key):
        match = NUMBERED_PATTERN.fullmatch(folder.name)
        if not match:
            continue  # asset folders (media/, images/) are not modules
        if match.group(2) in module_keys:
            raise CourseFormatError(
                f"{label_base}/{folder.name}", None, _("another module folder has the same name")
            )
        module_keys.add(match.group(2))
        course.modules.append(_parse_module(root, folder, match.group(2), targets))
    course.final_exam = _final_exam(meta, course)
    return course


def _final_exam(meta: "_YamlFile", course: CourseSpec) -> str | None:
    """``final_exam: <module>/<lesson>`` names a quiz lesson that must be passed (not just submitted)."""
    key = meta.text("final_exam", max_length=200)
    if key is None:
        return None
    lesson = next(
        (lesson for module in course.modules for lesson in module.lessons if lesson.key == key), None
    )
    if lesson is None or lesson.kind is not LessonKind.QUIZ:
        raise meta.error(
            "final_exam",
            _(
                'final_exam must name a quiz lesson of this course, such as "exam/final" (module folder and lesson file without their numbers)'
            ),
        )
    if lesson.completion is not CompletionRule.PASSED:
        raise meta.error("final_exam", _('the final exam\'s lesson must have the completion rule "passed"'))
    return key


def _numbered_sort_key(path: Path) -> tuple[int, str]:
    match = NUMBERED_PATTERN.fullmatch(path.stem if path.suffix == ".md" else path.name)
    return (int(match.group(1)) if match else 0, path.name)


def _credit_hours(meta: _YamlFile) -> Decimal:
    value = meta.data.get("credit_hours", 0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise meta.error("credit_hours", _("credit_hours must be a number such as 2 or 1.5"))
    try:
        hours = Decimal(str(value))
    except InvalidOperation as error:  # pragma: no cover - YAML numbers are always valid decimals
        raise meta.error("credit_hours", _("credit_hours must be a number")) from error
    if hours < 0 or hours > 999 or hours != hours.quantize(Decimal("0.1")):
        raise meta.error(
            "credit_hours", _("credit_hours must be between 0 and 999, with at most one decimal")
        )
    return hours.quantize(Decimal("0.1"))


def _tags(meta: _YamlFile) -> list[str]:
    value = meta.data.get("tags") or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(tag, str | int) for tag in value):
        raise meta.error("tags", _("tags must be a list such as [党章, 入门]"))
    tags: list[str] = []
    for tag in (str(tag).strip() for tag in value):
        if not tag or len(tag) > 50:
            raise meta.error("tags", _("each tag must be 1 to 50 characters"))
        if tag not in tags:
            tags.append(tag)
    return tags


E = TypeVar("E", bound=enum.Enum)


@overload
def _choice(meta: _YamlFile, key: str, enum_class: type[E], default: E) -> E: ...
@overload
def _choice(meta: _YamlFile, key: str, enum_class: type[E], default: None) -> E | None: ...
def _choice(meta: _YamlFile, key: str, enum_class: type[E], default: E | None) -> E | None:
    value = meta.data.get(key)
    if value is None:
        return default
    try:
        return enum_class(str(value))
    except ValueError as error:
        allowed = ", ".join(member.value for member in enum_class)
        raise meta.error(key, _('"%(key)s" must be one of: %(allowed)s', key=key, allowed=allowed)) from error


def _parse_module(root: Path, folder: Path, key: str, targets: _ReadingTargets) -> ModuleSpec:
    label = f"{root.name}/{folder.name}/{MODULE_FILE}"
    module_file = folder / MODULE_FILE
    if not module_file.is_file():
        raise CourseFormatError(label, None, _("the module folder has no module.yml"))
    meta = _YamlFile(_read_text(module_file, label), label)
    meta.check_keys(MODULE_KEYS)
    module = ModuleSpec(key=key, title=meta.text("title", required=True), summary=meta.text("summary") or "")
    lesson_keys: set[str] = set()
    files = [path for path in folder.iterdir() if path.suffix == ".md" and not path.name.startswith(".")]
    for path in sorted(files, key=_numbered_sort_key):
        lesson_label = f"{root.name}/{folder.name}/{path.name}"
        match = NUMBERED_PATTERN.fullmatch(path.stem)
        if not match:
            raise CourseFormatError(
                lesson_label, None, _("a lesson file is named with its number first, such as 01-intro.md")
            )
        if match.group(2) in lesson_keys:
            raise CourseFormatError(lesson_label, None, _("another lesson file has the same name"))
        lesson_keys.add(match.group(2))
        module.lessons.append(_parse_lesson(root, path, f"{key}/{match.group(2)}", lesson_label, targets))
    return module


def split_front_matter(text: str, label: str) -> tuple[str, str]:
    """Split a lesson file into its YAML front matter and its Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise CourseFormatError(label, 1, _('a lesson file starts with a "---" line and its front matter'))
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == FRONT_MATTER_FENCE:
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :]).strip("\n")
    raise CourseFormatError(label, 1, _('the front matter is not closed by a "---" line'))


def _parse_lesson(root: Path, path: Path, key: str, label: str, targets: _ReadingTargets) -> LessonSpec:
    front, body = split_front_matter(_read_text(path, label), label)
    meta = _YamlFile(front, label, first_line=2)
    meta.check_keys(LESSON_KEYS)
    title = meta.text("title", required=True)
    kind = _choice(meta, "kind", LessonKind, None)
    if kind is None:
        raise meta.error(None, _('"kind" is missing (text, video, reading, quiz or live)'))
    for other_kind, keys in KIND_KEYS.items():
        for name in keys - KIND_KEYS[kind]:
            if name in meta.data:
                raise meta.error(
                    name, _('"%(key)s" belongs to %(kind)s lessons', key=name, kind=other_kind.value)
                )
    minutes = meta.data.get("minutes", 10)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 600:
        raise meta.error("minutes", _("minutes must be a whole number from 1 to 600"))
    completion = _choice(meta, "completion", CompletionRule, COMPLETION_RULES[kind][0])
    if completion not in COMPLETION_RULES[kind]:
        allowed = ", ".join(rule.value for rule in COMPLETION_RULES[kind])
        raise meta.error(
            "completion",
            _("a %(kind)s lesson is completed by: %(allowed)s", kind=kind.value, allowed=allowed),
        )
    lesson = LessonSpec(key=key, title=title, kind=kind, minutes=minutes, completion=completion, body=body)
    if kind is LessonKind.VIDEO:
        lesson.video = meta.text("video", required=True, max_length=500)
        _inside_file(root, lesson.video, label, meta.first_line + meta.lines["video"])
    elif kind is LessonKind.READING:
        lesson.document = meta.text("document", required=True)
        lesson.section = meta.text("section")
        problem = targets.problem(lesson.document, lesson.section)
        if problem:
            raise meta.error(problem[0], problem[1])
    elif kind is LessonKind.QUIZ:
        # The GIFT file sits beside the lesson: its path is relative to the module folder.
        lesson.quiz = meta.text("quiz", required=True, max_length=500)
        gift = _inside_file(path.parent, lesson.quiz, label, meta.first_line + meta.lines["quiz"])
        gift_label = f"{root.name}/{path.parent.name}/{lesson.quiz}"
        lesson.quiz_source = _read_text(gift, gift_label)
        parsed = parse_gift(lesson.quiz_source)
        if parsed.errors:
            line, message = parsed.errors[0]
            raise CourseFormatError(gift_label, line, message)
        if not parsed.questions:
            raise CourseFormatError(gift_label, None, _("the GIFT file is empty: it holds no question"))
        lesson.quiz_settings = _quiz_settings(meta)
    elif kind is LessonKind.LIVE:
        lesson.starts = _starts(meta)
        lesson.speaker = meta.text("speaker", max_length=100)
    return lesson


def display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _starts(meta: _YamlFile) -> datetime:
    """A live lesson's start: an ISO 8601 date and time, in the display time zone unless it names one."""
    value = meta.data.get("starts")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise meta.error("starts", _("starts must be a date and time such as 2026-07-01 15:00 (or +08:00)"))
    return stored_time(value)


def stored_time(value: datetime) -> datetime:
    """A time as stored (naive UTC); one without a zone is in the display time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=display_zone())
    return value.astimezone(UTC).replace(tzinfo=None)


def display_time(stored: datetime) -> datetime:
    """A stored (naive UTC) time in the display time zone, without its zone (as a form shows it)."""
    return stored.replace(tzinfo=UTC).astimezone(display_zone()).replace(tzinfo=None)


def starts_for_yaml(starts: datetime) -> str:
    """Write a stored (naive UTC) start back in the display time zone, with its offset."""
    local = starts.replace(tzinfo=UTC).astimezone(display_zone())
    return local.isoformat(sep=" ", timespec="minutes")


def _quiz_settings(meta: _YamlFile) -> dict[str, Any]:
    value = meta.data.get("quiz_settings") or {}
    if not isinstance(value, dict):
        raise meta.error("quiz_settings", _("quiz_settings must be a mapping such as {pass_score: 60}"))
    settings = {}
    for name, setting in value.items():
        if name not in QUIZ_SETTINGS:
            allowed = ", ".join(QUIZ_SETTINGS)
            raise meta.error(
                "quiz_settings",
                _('unknown quiz setting "%(key)s"; allowed: %(allowed)s', key=name, allowed=allowed),
            )
        kind, low, high = QUIZ_SETTINGS[name]
        valid = (
            isinstance(setting, bool)
            if kind is bool
            else isinstance(setting, int)
            and not isinstance(setting, bool)
            and low is not None
            and high is not None
            and low <= setting <= high
        )
        if not valid:
            problem = (
                _('quiz setting "%(key)s" must be true or false', key=name)
                if kind is bool
                else _(
                    'quiz setting "%(key)s" must be a whole number from %(low)d to %(high)d',
                    key=name,
                    low=low,
                    high=high,
                )
            )
            raise meta.error("quiz_settings", problem)
        settings[name] = setting
    return settings


# --- writing ---------------------------------------------------------------------------------------


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)


def _hours_for_yaml(hours: Decimal) -> int | float:
    return int(hours) if hours == hours.to_integral_value() else float(hours)


def write_course_folder(course: CourseSpec, target: Path, assets_from: Path | None = None) -> Path:
    """Write ``course`` in the folder format under ``target``/<slug>; copy assets from ``assets_from``."""
    root = Path(target) / course.slug
    root.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"slug": course.slug, "title": course.title}
    if course.summary:
        meta["summary"] = course.summary
    meta["credit_hours"] = _hours_for_yaml(course.credit_hours)
    if course.cover:
        meta["cover"] = course.cover
    if course.tags:
        meta["tags"] = list(course.tags)
    if course.audience:
        meta["audience"] = course.audience
    meta["status"] = course.status.value
    if course.final_exam:
        meta["final_exam"] = course.final_exam
    (root / COURSE_FILE).write_text(_dump(meta), encoding="utf-8")
    assets = [course.cover] if course.cover else []
    for number, module in enumerate(course.modules, start=1):
        folder = root / f"{number:02d}-{module.key}"
        folder.mkdir(exist_ok=True)
        module_meta: dict[str, Any] = {"title": module.title}
        if module.summary:
            module_meta["summary"] = module.summary
        (folder / MODULE_FILE).write_text(_dump(module_meta), encoding="utf-8")
        for lesson_number, lesson in enumerate(module.lessons, start=1):
            name = lesson.key.rsplit("/", 1)[-1]
            (folder / f"{lesson_number:02d}-{name}.md").write_text(_lesson_text(lesson), encoding="utf-8")
            if lesson.video:
                assets.append(lesson.video)
            if lesson.quiz:
                gift = folder / PurePosixPath(lesson.quiz)
                gift.parent.mkdir(parents=True, exist_ok=True)
                gift.write_text(lesson.quiz_source or "", encoding="utf-8")
    for asset in assets:
        _copy_asset(asset, assets_from, root)
    return root


def _lesson_text(lesson: LessonSpec) -> str:
    meta: dict[str, Any] = {"title": lesson.title, "kind": lesson.kind.value, "minutes": lesson.minutes}
    meta["completion"] = lesson.completion.value
    if lesson.video:
        meta["video"] = lesson.video
    if lesson.document:
        meta["document"] = lesson.document
    if lesson.section:
        meta["section"] = lesson.section
    if lesson.quiz:
        meta["quiz"] = lesson.quiz
    if lesson.quiz_settings:
        meta["quiz_settings"] = dict(lesson.quiz_settings)
    if lesson.starts:
        meta["starts"] = starts_for_yaml(lesson.starts)
    if lesson.speaker:
        meta["speaker"] = lesson.speaker
    body = f"\n{lesson.body}\n" if lesson.body else ""
    return f"{FRONT_MATTER_FENCE}\n{_dump(meta)}{FRONT_MATTER_FENCE}\n{body}"


def _copy_asset(relative: str, source_root: Path | None, target_root: Path) -> None:
    destination = target_root / PurePosixPath(relative)
    if destination.exists():
        return
    source = (source_root / PurePosixPath(relative)) if source_root else None
    if source is None or not source.is_file():
        raise CourseFormatError(
            relative, None, _("the file is not available to export; copy it into the exported folder")
        )
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, destination)
