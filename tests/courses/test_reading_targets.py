"""A reading lesson must point at a library document that exists: the course folder may ship it.

And the repository's own courses/ folder imports as it is, on a fresh clone (no generated clip yet).
"""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import PROJECT_ROOT
from app.courses.errors import CourseFormatError
from app.courses.models import Course, LessonKind
from app.demo.services import DEMO_PASSWORD
from app.extensions import db
from app.library.models import Document
from app.library.services import ensure_collection, import_upload
from tests.factories.courses import import_folder, lesson_text, write_file
from tests.web import AuthActions


def _point_reading_at(course_folder: Path, **front) -> None:
    write_file(
        course_folder / "02-more" / "01-reading.md", lesson_text("阅读", "reading", minutes=20, **front)
    )


def test_a_reading_lesson_on_a_document_the_library_lacks_is_refused_with_file_and_line(
    app, world, course_folder
):
    _point_reading_at(course_folder, document="no-such-document", section="第一章")
    with app.app_context(), pytest.raises(CourseFormatError) as caught:
        import_folder(course_folder)
    # title on line 2, kind 3, minutes 4, document 5
    assert (caught.value.path, caught.value.line) == ("test-course/02-more/01-reading.md", 5)
    assert "no-such-document" in caught.value.message
    with app.app_context():
        assert db.session.scalar(select(Course)) is None  # nothing of the course was written


def test_a_reading_lesson_on_a_section_the_document_lacks_is_refused_at_the_section_line(
    app, world, course_folder
):
    _point_reading_at(course_folder, document="dangzhang-2022", section="第九章")
    with app.app_context(), pytest.raises(CourseFormatError) as caught:
        import_folder(course_folder)
    assert (caught.value.path, caught.value.line) == ("test-course/02-more/01-reading.md", 6)
    assert "第九章" in caught.value.message


def test_a_reading_lesson_may_read_a_document_already_in_the_site_library(app, world, course_folder):
    shutil.rmtree(course_folder / "library")
    with app.app_context():
        import_upload("yuedu.md", "# 读本\n\n## 第二节\n\n内容。\n".encode(), ensure_collection("党章党规"))
        _point_reading_at(course_folder, document="yuedu", section="第二节")
        result = import_folder(course_folder)
        assert "more/reading" in result.added


def test_the_course_library_document_is_imported_and_the_lesson_opens_it_at_its_section(
    app, world, client, auth, course_folder
):
    with app.app_context():
        import_folder(course_folder)
        document = db.session.scalar(select(Document).where(Document.key == "dangzhang-2022"))
        assert document.collection.name == "学习资料" and document.title == "党章学习材料"
        anchor = next(section.anchor for section in document.sections if section.heading == "第一章")
        lesson = next(
            lesson
            for module in db.session.scalar(select(Course)).modules
            for lesson in module.lessons
            if lesson.kind is LessonKind.READING
        )
        lesson_url = f"/courses/test-course/lessons/{lesson.id}"
        document_id = document.id
    auth.login("member_a")
    page = client.get(lesson_url).get_data(as_text=True)
    assert "党章学习材料" in page  # the member sees the document's title, not its identifier
    link = client.get(f"/library/k/dangzhang-2022?section=第一章&lesson={lesson.id}")
    assert link.status_code == 302
    assert link.headers["Location"].endswith(f"/library/documents/{document_id}?lesson={lesson.id}#{anchor}")
    assert client.get(link.headers["Location"]).status_code == 200


@pytest.fixture
def fresh_clone_courses(app, tmp_path) -> Path:
    """The repository's courses/ folder as a fresh clone has it: no generated clip."""
    target = Path(app.config["COURSES_DIR"])
    shutil.copytree(PROJECT_ROOT / "courses", target, ignore=shutil.ignore_patterns("*.mp4"))
    assert not list(target.rglob("*.mp4"))
    assert not Path(app.config["MEDIA_ROOT"]).exists()
    return target


@pytest.mark.slow
def test_the_repository_courses_folder_syncs_on_a_fresh_clone(app, world, runner, fresh_clone_courses):
    result = runner.invoke(args=["courses", "sync"])
    assert result.exit_code == 0, result.output
    assert "created dangzhang-rumen" in result.output
    clip = fresh_clone_courses / "dangzhang-rumen" / "media" / "dangzhang-lishi.mp4"
    assert clip.read_bytes()[4:8] == b"ftyp"
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "dangzhang-rumen"))
        lessons = {lesson.kind: lesson for module in course.modules for lesson in module.lessons}
        assert lessons[LessonKind.VIDEO].video is not None
        reading = lessons[LessonKind.READING]
        assert db.session.scalar(select(Document).where(Document.key == reading.reading_document))
    assert runner.invoke(args=["courses", "sync"]).output.strip() == "unchanged dangzhang-rumen"


def test_the_demo_reading_lesson_opens_its_document_after_demo_load(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "dangzhang-rumen"))
        reading = next(
            lesson
            for module in course.modules
            for lesson in module.lessons
            if lesson.kind is LessonKind.READING
        )
        key, section, lesson_id = reading.reading_document, reading.reading_section, reading.id
    client = app.test_client()
    AuthActions(client).login("member2", DEMO_PASSWORD)
    opened = client.get(f"/library/k/{key}?section={section}&lesson={lesson_id}")
    assert opened.status_code == 302 and "#s" in opened.headers["Location"]
    page = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "党员的权利和义务学习笔记" in page


def test_a_course_library_file_the_library_cannot_read_is_refused_naming_it(app, world, course_folder):
    (course_folder / "library" / "broken.epub").write_bytes(b"PK\x03\x04 not really a zip")
    with app.app_context(), pytest.raises(CourseFormatError) as caught:
        import_folder(course_folder)
    assert caught.value.path == "test-course/library/broken.epub"
    with app.app_context():
        assert db.session.scalar(select(Course)) is None
        assert db.session.scalar(select(Document)) is None
