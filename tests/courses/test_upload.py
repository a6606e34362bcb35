"""Uploading a course folder as a .zip: a good one imports; hostile ones are refused and leave nothing."""

import io
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.courses.archive import ZipLimits, extract_zip, import_zip
from app.courses.errors import CourseError
from app.courses.models import Course
from app.extensions import db
from app.library.models import Document
from tests.factories.auth import make_user
from tests.factories.courses import user_named, write_course_folder
from tests.web import csrf_token


def zip_folder(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes], symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries.items():
            bundle.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, target)
    return buffer.getvalue()


def upload(client, data: bytes, filename: str = "course.zip"):
    token = csrf_token(client, "/authoring/courses/")
    return client.post(
        "/authoring/courses/upload",
        data={"csrf_token": token, "archive": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_a_trainer_uploads_a_course_folder_and_it_is_imported(app, client, auth, world, tmp_path):
    archive = zip_folder(write_course_folder(tmp_path / "src"), prefix="test-course/")
    auth.login("trainer")
    response = upload(client, archive)
    assert response.status_code == 302 and "/authoring/courses/" in response.location
    with app.app_context():
        course = db.session.scalar(select(Course))
        assert course.slug == "test-course" and course.owner_id == world.trainer
        assert len([lesson for module in course.modules for lesson in module.lessons]) == 4
        assert (Path(app.config["COURSES_DIR"]) / "test-course" / "media" / "clip.mp4").is_file()
    # Uploading it again changes nothing; the folder stays in place.
    assert upload(client, archive).status_code == 302
    assert [p.name for p in Path(app.config["COURSES_DIR"]).iterdir()] == ["test-course"]


def test_another_trainer_cannot_overwrite_a_course_by_uploading_its_slug(app, client, auth, world, tmp_path):
    archive = zip_folder(write_course_folder(tmp_path / "src"))
    auth.login("trainer")
    upload(client, archive)
    auth.logout()
    with app.app_context():
        make_user("trainer2", (Role.TRAINER,), "甲党委")
    auth.login("trainer2")
    write_course_folder(tmp_path / "evil", title="篡改")
    response = upload(client, zip_folder(tmp_path / "evil" / "test-course"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Course)).title == "测试课程"
        assert user_named("trainer").id == db.session.scalar(select(Course)).owner_id


def test_a_course_upload_s_library_documents_are_the_uploader_s_and_replace_no_one_else_s(
    app, client, auth, world, tmp_path
):
    auth.login("trainer")
    upload(client, zip_folder(write_course_folder(tmp_path / "src")))
    auth.logout()
    with app.app_context():
        shipped = db.session.scalars(select(Document).where(Document.key == "dangzhang-2022")).one()
        assert shipped.imported_by_id == world.trainer  # so the trainer may edit what their course brought
        text = shipped.sections[0].text
        make_user("trainer2", (Role.TRAINER,), "甲党委")
    # Another trainer's course ships a different text under the same identifier: refused, nothing changed.
    other = write_course_folder(tmp_path / "other", slug="other-course")
    (other / "library" / "dangzhang-2022.md").write_text(
        "# 篡改\n\n## 第一章\n\n另一段文字。\n", encoding="utf-8"
    )
    auth.login("trainer2")
    upload(client, zip_folder(other))
    with app.app_context():
        kept = db.session.scalars(select(Document).where(Document.key == "dangzhang-2022")).one()
        assert (kept.title, kept.sections[0].text) == ("党章学习材料", text)
        assert db.session.scalar(select(Course).where(Course.slug == "other-course")) is None


def test_a_member_cannot_upload(client, auth, world, tmp_path):
    auth.login("member_a")
    token = csrf_token(client, "/courses/")
    response = client.post(
        "/authoring/courses/upload",
        data={"csrf_token": token, "archive": (io.BytesIO(b"x"), "a.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_a_broken_course_in_a_zip_imports_nothing_and_leaves_no_files(app, client, auth, world, tmp_path):
    root = write_course_folder(tmp_path / "src")
    (root / "02-more" / "module.yml").unlink()
    auth.login("trainer")
    page = client.get(upload(client, zip_folder(root)).location).get_data(as_text=True)
    assert "02-more/module.yml" in page
    with app.app_context():
        assert db.session.scalar(select(Course)) is None
    assert list(Path(app.config["COURSES_DIR"]).iterdir()) == []


HOSTILE = {
    "parent traversal": zip_of({"../escape.txt": b"x"}),
    "deep traversal": zip_of({"course/../../escape.txt": b"x"}),
    "absolute path": zip_of({"/tmp/escape.txt": b"x"}),
    "windows path": zip_of({"..\\escape.txt": b"x"}),
    "drive letter": zip_of({"C:/escape.txt": b"x"}),
    "symlink": zip_of({"course.yml": b"slug: x\n"}, symlinks={"media/link": "/etc/passwd"}),
    "not a zip": b"PK\x03\x04 this is not really a zip",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_archives_are_refused_before_anything_is_written(tmp_path, name):
    archive = tmp_path / "upload.zip"
    archive.write_bytes(HOSTILE[name])
    target = tmp_path / "target"
    target.mkdir()
    with pytest.raises(CourseError):
        extract_zip(archive, target)
    assert list(target.rglob("*")) == []
    assert not (tmp_path / "escape.txt").exists()


def test_too_many_entries_are_refused(tmp_path):
    archive = tmp_path / "many.zip"
    archive.write_bytes(zip_of({f"f{number}.txt": b"x" for number in range(30)}))
    with pytest.raises(CourseError, match="20"):
        extract_zip(archive, tmp_path, ZipLimits(max_entries=20))


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zip_of({"zeros.bin": b"\0" * (20 * 1024 * 1024)}))
    target = tmp_path / "target"
    target.mkdir()
    with pytest.raises(CourseError):
        extract_zip(archive, target)
    assert list(target.iterdir()) == []


def test_the_total_unpacked_size_is_limited(tmp_path):
    archive = tmp_path / "big.zip"
    archive.write_bytes(zip_of({"a.txt": b"a" * 4000, "b.txt": b"b" * 4000}))
    with pytest.raises(CourseError):
        extract_zip(archive, tmp_path / "t", ZipLimits(max_total_bytes=6000))


def test_sizes_a_zip_lies_about_are_caught_while_unpacking(tmp_path):
    data = bytearray(zip_of({"a.txt": b"a" * 5000}))
    # Rewrite the declared size in the central directory to 10 bytes: the real data is larger.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    archive = tmp_path / "liar.zip"
    archive.write_bytes(bytes(data))
    with pytest.raises((CourseError, zipfile.BadZipFile)):
        extract_zip(archive, tmp_path / "t")


def test_import_zip_refuses_an_archive_without_course_yml(app, world, tmp_path):
    archive = tmp_path / "empty.zip"
    archive.write_bytes(zip_of({"readme.txt": b"hello"}))
    with app.app_context(), pytest.raises(CourseError, match=r"course\.yml"):
        import_zip(archive, user_named("trainer"))
