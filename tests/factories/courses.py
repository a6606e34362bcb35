"""Builders for course tests: course folders on disk and courses in the database."""

import hashlib
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.courses import authoring, importer
from app.courses.models import CompletionRule, Course, CourseStatus, Lesson, LessonKind, Module
from app.extensions import db
from app.library import services as library_services
from app.library.models import Document
from app.media.models import Video
from tests.factories.auth import user_named
from tests.factories.library import make_document
from tests.factories.media import make_ready_video

GIFT = "::q1::党的根本宗旨是全心全意为人民服务。{T}\n"


def write_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lesson_text(title: str, kind: str = "text", body: str = "正文。", **front) -> str:
    lines = [f"title: {title}", f"kind: {kind}"] + [f"{key}: {value}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def write_course_folder(
    base: Path, slug: str = "test-course", title: str = "测试课程", status: str = "published"
) -> Path:
    """A complete course folder: two modules, one lesson of each kind."""
    root = base / slug
    write_file(
        root / "course.yml",
        f"slug: {slug}\ntitle: {title}\nsummary: 简介\ncredit_hours: 1.5\ntags: [党章, 入门]\n"
        f"audience: 全体党员\nstatus: {status}\n",
    )
    write_file(root / "01-basics" / "module.yml", "title: 第一单元\nsummary: 基础\n")
    write_file(root / "01-basics" / "01-intro.md", lesson_text("导言", body="## 小节\n\n第一课的内容。"))
    write_file(
        root / "01-basics" / "02-clip.md",
        lesson_text("视频", "video", minutes=5, completion="watched", video="media/clip.mp4"),
    )
    (root / "media").mkdir(parents=True, exist_ok=True)
    (root / "media" / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)
    write_file(root / "02-more" / "module.yml", "title: 第二单元\n")
    write_file(
        root / "02-more" / "01-reading.md",
        lesson_text("阅读", "reading", minutes=20, document="dangzhang-2022", section="第一章"),
    )
    # The document the reading lesson reads ships with the course (imported into the library with it).
    write_file(root / "library" / "dangzhang-2022.md", "# 党章学习材料\n\n## 第一章\n\n党员的条件。\n")
    write_file(root / "02-more" / "quiz.gift", GIFT)
    write_file(
        root / "02-more" / "02-quiz.md",
        "---\ntitle: 测验\nkind: quiz\nminutes: 10\nquiz: quiz.gift\n"
        "quiz_settings:\n  pass_score: 60\n  attempts: 3\n---\n\n说明。\n",
    )
    return root


# A lesson to build: (key, kind, estimated minutes, completion rule). Its title is "课<key>"
# (lesson_of finds it by that), its body "内容<key>".
LessonPlan = tuple[str, LessonKind, int, CompletionRule]

DEFAULT_LESSONS: tuple[LessonPlan, ...] = (
    ("intro", LessonKind.TEXT, 10, CompletionRule.OPENED),
    ("clip", LessonKind.VIDEO, 30, CompletionRule.WATCHED),
    ("reading", LessonKind.READING, 20, CompletionRule.READ),
    ("quiz", LessonKind.QUIZ, 10, CompletionRule.PASSED),
)

READING_DOCUMENT = "reading-material"  # the library document every built reading lesson reads


def text_lessons(count: int, minutes: int = 10) -> tuple[LessonPlan, ...]:
    """``count`` text lessons keyed 1, 2, ... (titled 课1, 课2, ...)."""
    return tuple((str(n), LessonKind.TEXT, minutes, CompletionRule.OPENED) for n in range(1, count + 1))


def make_course(
    slug: str = "course-a",
    title: str | None = None,
    owner: str | None = "trainer",
    published: bool = True,
    tags: tuple[str, ...] = (),
    lessons: tuple[LessonPlan, ...] = DEFAULT_LESSONS,
    credit_hours: str = "2",
    video: Video | None = None,
) -> Course:
    """A course built through the authoring services, as a trainer builds one in the browser: one
    module holding ``lessons``. A video lesson shows ``video`` (default: a ready video of its own), a
    reading lesson reads the library's reading material, a quiz lesson gets its linked quiz."""
    author = user_named(owner) if owner else None
    fields = authoring.CourseFields(
        title=title or f"课程{slug}", credit_hours=Decimal(credit_hours), tags=list(tags)
    )
    course = authoring.create_course(author, slug, fields)
    module = authoring.add_module(course, "第一单元")
    for key, kind, minutes, rule in lessons:
        add_lesson(module, key, kind, minutes, rule, video=video)
    if published:
        authoring.set_status(course, CourseStatus.PUBLISHED)
    return course


def add_lesson(
    module: Module,
    key: str,
    kind: LessonKind,
    minutes: int,
    rule: CompletionRule,
    video: Video | None = None,
) -> Lesson:
    """Add the lesson ``key`` to the end of ``module`` through the authoring service, as the course's
    owner (or the trainer, for a course with none). A video lesson's own video lasts its minutes."""
    editor = module.course.owner or user_named("trainer")
    fields = authoring.LessonFields(
        title=f"课{key}", kind=kind, minutes=minutes, completion=rule, body=f"内容{key}"
    )
    if kind is LessonKind.VIDEO:
        fields.video_id = (
            video or make_ready_video(sha256=_sha(module.course.slug, key), duration=minutes * 60.0)
        ).id
    elif kind is LessonKind.READING:
        fields.document = reading_document().key
    elif kind is LessonKind.QUIZ:
        fields.quiz_source = GIFT
    return authoring.add_lesson(module, fields, editor)


def _sha(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def reading_document() -> Document:
    """The library document built reading lessons read (imported and indexed once per test)."""
    return library_services.get_document_by_key(READING_DOCUMENT) or make_document(
        "阅读材料", "## 第一节\n\n党员的权利和义务。", filename=f"{READING_DOCUMENT}.md"
    )


def lesson_of(course: Course, key: str) -> Lesson:
    """The built lesson ``key`` of ``course`` (see LessonPlan)."""
    return db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.title == f"课{key}"))


def make_video_lesson(slug: str = "video-course", duration: float = 100.0, **course) -> Lesson:
    """The one video lesson of a new course, showing a ready video of ``duration`` seconds."""
    video = make_ready_video(sha256=_sha(slug), duration=duration)
    built = make_course(
        slug, lessons=(("clip", LessonKind.VIDEO, 2, CompletionRule.WATCHED),), video=video, **course
    )
    return lesson_of(built, "clip")


def import_folder(folder: Path, owner: str | None = None) -> importer.ImportResult:
    return importer.import_course(folder, user_named(owner) if owner else None)


def courses_dir() -> Path:
    return Path(current_app.config["COURSES_DIR"])
