"""Builders for course tests: course folders on disk and courses in the database."""

from pathlib import Path

from flask import current_app

from app.courses import authoring, importer
from app.courses.models import Course, CourseStatus, LessonKind
from tests.factories.auth import user_named

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


def make_course(
    slug: str = "authored",
    title: str = "浏览器课程",
    owner: str | None = "trainer",
    published: bool = True,
    tags: tuple[str, ...] = (),
    lessons: int = 2,
    minutes: int = 10,
) -> Course:
    """A course built through the authoring services: one module with ``lessons`` text lessons."""
    course = authoring.create_course(
        user_named(owner) if owner else None, slug, authoring.CourseFields(title=title, tags=list(tags))
    )
    module = authoring.add_module(course, "第一单元")
    for number in range(1, lessons + 1):
        authoring.add_lesson(
            module,
            authoring.LessonFields(
                title=f"第{number}课", kind=LessonKind.TEXT, minutes=minutes, body=f"内容{number}"
            ),
        )
    if published:
        authoring.set_status(course, CourseStatus.PUBLISHED)
    return course


def import_folder(folder: Path, owner: str | None = None) -> importer.ImportResult:
    return importer.import_course(folder, user_named(owner) if owner else None)


def courses_dir() -> Path:
    return Path(current_app.config["COURSES_DIR"])
