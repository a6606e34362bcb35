"""Importing course folders: idempotent, in place, all-or-nothing; exporting gives the same course back."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.courses import importer
from app.courses.errors import CourseFormatError
from app.courses.folder import parse_course_folder
from app.courses.models import Course, CourseRevision, CourseTag, Lesson, Module, RevisionOrigin
from app.extensions import db
from app.progress.models import LessonProgress
from tests.factories.courses import import_folder, lesson_text, user_named, write_course_folder, write_file


def snapshot() -> dict:
    """Every column of every course table, as plain values."""
    tables = {}
    for model in (Course, CourseTag, Module, Lesson, LessonProgress, CourseRevision):
        columns = [column.key for column in model.__table__.columns]
        rows = db.session.scalars(select(model).order_by(model.id)).all()
        tables[model.__tablename__] = [tuple(getattr(row, name) for name in columns) for row in rows]
    db.session.expire_all()
    return tables


def lesson_by_key(key: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.key == key))


def open_every_lesson(username: str) -> None:
    user = user_named(username)
    for lesson in db.session.scalars(select(Lesson)):
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id))
    db.session.commit()


def test_import_creates_the_course_with_its_modules_and_lessons(app, world, course_folder):
    with app.app_context():
        result = import_folder(course_folder, owner="trainer")
        assert result.created and len(result.added) == 4
        course = db.session.scalar(select(Course).where(Course.slug == "test-course"))
        assert course.owner.username == "trainer" and course.is_published
        assert course.tag_names == ["党章", "入门"] and str(course.credit_hours) == "1.5"
        assert course.source_dir == "test-course"  # relative to COURSES_DIR
        assert [module.title for module in course.modules] == ["第一单元", "第二单元"]
        quiz = lesson_by_key("more/quiz")
        assert quiz.quiz_settings == {"pass_score": 60, "attempts": 3} and "{T}" in quiz.quiz_source


def test_importing_twice_changes_nothing(app, world, course_folder):
    with app.app_context():
        import_folder(course_folder, owner="trainer")
        open_every_lesson("member_a")
        before = snapshot()
        again = import_folder(course_folder, owner="trainer")
        assert not again.changed
        assert snapshot() == before


def test_changing_one_lesson_updates_only_that_lesson_and_keeps_all_progress(app, world, course_folder):
    with app.app_context():
        import_folder(course_folder)
        open_every_lesson("member_a")
        before = {
            lesson.key: (lesson.id, lesson.updated_at, lesson.content_hash)
            for lesson in db.session.scalars(select(Lesson))
        }
        write_file(
            course_folder / "01-basics" / "01-intro.md", lesson_text("导言（修订）", body="新的内容。")
        )
        result = import_folder(course_folder)
        assert result.updated == ["basics/intro"] and not result.added and not result.removed
        after = {
            lesson.key: (lesson.id, lesson.updated_at, lesson.content_hash)
            for lesson in db.session.scalars(select(Lesson))
        }
        assert after["basics/intro"][0] == before["basics/intro"][0]  # updated in place
        assert after["basics/intro"][2] != before["basics/intro"][2]
        for key in ("basics/clip", "more/reading", "more/quiz"):
            assert after[key] == before[key]
        assert len(db.session.scalars(select(LessonProgress)).all()) == 4


def test_renumbering_folders_reorders_without_touching_lesson_content(app, world, course_folder):
    with app.app_context():
        import_folder(course_folder)
        hashes = {lesson.key: lesson.content_hash for lesson in db.session.scalars(select(Lesson))}
        (course_folder / "01-basics").rename(course_folder / "05-basics")
        result = import_folder(course_folder)
        assert result.changed and not result.updated and not result.added and not result.removed
        course = db.session.scalar(select(Course))
        assert [module.key for module in course.modules] == ["more", "basics"]
        assert {lesson.key: lesson.content_hash for lesson in db.session.scalars(select(Lesson))} == hashes


def test_a_removed_lesson_is_hidden_but_its_recorded_progress_stays(app, world, course_folder):
    with app.app_context():
        import_folder(course_folder)
        open_every_lesson("member_a")
        (course_folder / "02-more" / "01-reading.md").unlink()
        result = import_folder(course_folder)
        assert result.removed == ["more/reading"]
        reading = lesson_by_key("more/reading")
        assert reading.removed_at is not None
        assert db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == reading.id))
        # Putting it back restores the same lesson, with its history.
        write_file(
            course_folder / "02-more" / "01-reading.md",
            lesson_text("阅读", "reading", minutes=20, document="dangzhang-2022", section="第一章"),
        )
        import_folder(course_folder)
        assert lesson_by_key("more/reading").id == reading.id and reading.removed_at is None


def test_an_error_in_one_lesson_imports_nothing_of_that_course(app, world, course_folder):
    with app.app_context():
        import_folder(course_folder)
        before = snapshot()
        write_file(course_folder / "course.yml", "slug: test-course\ntitle: 改了标题\n")
        write_file(course_folder / "02-more" / "01-reading.md", "---\ntitle: 坏了\nkind: reading\n---\n")
        with pytest.raises(CourseFormatError) as caught:
            import_folder(course_folder)
        assert caught.value.path == "test-course/02-more/01-reading.md"
        assert snapshot() == before


def test_import_export_import_is_the_identity(app, world, course_folder, tmp_path):
    with app.app_context():
        import_folder(course_folder, owner="trainer")
        before = snapshot()
        course = db.session.scalar(select(Course))
        exported = importer.export_course(course, tmp_path / "export")
        assert parse_course_folder(exported) == parse_course_folder(course_folder)
        assert (exported / "media" / "clip.mp4").read_bytes() == (
            course_folder / "media" / "clip.mp4"
        ).read_bytes()
        result = importer.import_course(exported)
        assert not result.changed
        after = snapshot()
        # Only the recorded source folder differs: the course now comes from the exported copy.
        assert _without_source(after) == _without_source(before)
        second = importer.export_course(db.session.scalar(select(Course)), tmp_path / "again")
        assert _tree(second) == _tree(exported)


def _without_source(tables: dict) -> dict:
    source_index = [column.key for column in Course.__table__.columns].index("source_dir")
    courses = [
        tuple(value for index, value in enumerate(row) if index != source_index) for row in tables["courses"]
    ]
    return {**tables, "courses": courses}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_export_refuses_a_folder_that_is_not_empty(app, world, course_folder, tmp_path):
    with app.app_context():
        import_folder(course_folder)
        write_file(tmp_path / "out" / "test-course" / "keep.txt", "mine")
        with pytest.raises(importer.CourseError):
            importer.export_course(db.session.scalar(select(Course)), tmp_path / "out")


def test_cli_import_twice_then_export(app, world, runner, course_folder, tmp_path):
    first = runner.invoke(args=["courses", "import", str(course_folder), "--owner", "trainer"])
    assert first.exit_code == 0, first.output
    assert "created test-course: 4 lesson(s)" in first.output
    second = runner.invoke(args=["courses", "import", str(course_folder)])
    assert "unchanged test-course" in second.output
    exported = runner.invoke(args=["courses", "export", "test-course", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert (tmp_path / "out" / "test-course" / "course.yml").is_file()
    missing = runner.invoke(args=["courses", "export", "no-such-course", str(tmp_path / "out2")])
    assert missing.exit_code != 0 and "no-such-course" in missing.output


def test_cli_import_reports_the_file_and_line_of_an_error(app, world, runner, course_folder):
    write_file(course_folder / "course.yml", "slug: test-course\ntitle: T\ncredit_hours: many\n")
    result = runner.invoke(args=["courses", "import", str(course_folder)])
    assert result.exit_code != 0
    assert "test-course/course.yml" in result.output and "3" in result.output
    with app.app_context():
        assert db.session.scalar(select(Course)) is None


def test_sync_imports_every_folder_and_reports_the_broken_one(app, world, runner, course_folder):
    base = course_folder.parent
    write_course_folder(base, slug="second-course", title="第二门课")
    broken = write_course_folder(base, slug="broken-course", title="坏课程")
    shutil.rmtree(broken / "02-more")
    write_file(broken / "02-more" / "01-x.md", lesson_text("无模块文件"))
    result = runner.invoke(args=["courses", "sync"])
    assert result.exit_code == 1
    assert "created test-course" in result.output and "created second-course" in result.output
    assert "broken-course/02-more/module.yml" in result.output
    with app.app_context():
        assert sorted(db.session.scalars(select(Course.slug))) == ["second-course", "test-course"]
    again = runner.invoke(args=["courses", "sync"])
    assert "unchanged test-course" in again.output and "unchanged second-course" in again.output


def test_each_change_to_a_published_course_is_kept_as_a_revision(app, world, course_folder):
    with app.app_context():
        import_folder(course_folder, owner="trainer")
        import_folder(course_folder)  # unchanged: no revision
        write_file(course_folder / "01-basics" / "01-intro.md", lesson_text("导言（第二版）"))
        import_folder(course_folder)
        revisions = db.session.scalars(select(CourseRevision).order_by(CourseRevision.number)).all()
        assert [(r.number, r.origin, r.lessons_added, r.lessons_updated) for r in revisions] == [
            (1, RevisionOrigin.FOLDER, 4, 0),
            (2, RevisionOrigin.FOLDER, 0, 1),
        ]
        first_title = revisions[0].snapshot["modules"][0]["lessons"][0]["title"]
        second_title = revisions[1].snapshot["modules"][0]["lessons"][0]["title"]
        assert (first_title, second_title) == ("导言", "导言（第二版）")
        assert revisions[1].snapshot["credit_hours"] == "1.5"
