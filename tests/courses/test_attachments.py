"""Images and PDFs attached to a course: checked by content, size-limited, never SVG or HTML."""

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.courses import importer
from app.courses.models import Course
from app.extensions import db
from tests.factories.courses import import_folder, make_course
from tests.web import csrf_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
HTML = b"<!doctype html><script>alert(1)</script>"


@pytest.fixture
def course_id(app, world):
    with app.app_context():
        return make_course("attach", "附件课程").id


def attach(client, course_id: int, data: bytes, filename: str):
    token = csrf_token(client, f"/authoring/courses/{course_id}/")
    return client.post(
        f"/authoring/courses/{course_id}/files",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def attached_files(app) -> list[Path]:
    folder = Path(app.config["COURSES_DIR"]) / "attach" / "files"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize(("data", "mimetype"), [(PNG, "image/png"), (PDF, "application/pdf")])
def test_an_image_or_pdf_is_attached_and_served_inline_by_its_content_type(
    app, client, auth, course_id, data, mimetype
):
    auth.login("trainer")
    attach(client, course_id, data, "随便叫什么.bin")
    [stored] = attached_files(app)
    with client.get(f"/courses/attach/files/{stored.name}") as response:
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Content-Disposition"] == "inline"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.data == data
    attach(client, course_id, data, "again.bin")
    assert len(attached_files(app)) == 1  # named by content: one copy


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (SVG, "logo.svg"),
        (HTML, "page.html"),
        (HTML, "disguised.png"),
        (SVG, "disguised.pdf"),
        (b"", "empty.png"),
    ],
)
def test_svg_html_and_disguised_files_are_refused(app, client, auth, course_id, data, filename):
    auth.login("trainer")
    attach(client, course_id, data, filename)
    assert attached_files(app) == []


def test_files_above_the_size_limit_are_refused(app, client, auth, course_id):
    app.config["COURSE_ATTACHMENT_MAX_BYTES"] = 1000
    auth.login("trainer")
    attach(client, course_id, PNG + b"\x00" * 2000, "big.png")
    assert attached_files(app) == []


def test_a_file_placed_in_the_folder_is_served_only_when_its_content_matches(app, client, auth, course_id):
    folder = Path(app.config["COURSES_DIR"]) / "attach" / "files"
    folder.mkdir(parents=True)
    (folder / "evil.png").write_bytes(HTML)
    (folder / "evil.svg").write_bytes(SVG)
    (folder / "pdf-as.png").write_bytes(PDF)
    auth.login("member_a")
    for name in ("evil.png", "evil.svg", "pdf-as.png", "missing.png", "..%2Fcourse.yml"):
        assert client.get(f"/courses/attach/files/{name}").status_code == 404


def test_members_cannot_attach(app, client, auth, course_id):
    auth.login("member_a")
    token = csrf_token(client, "/courses/")
    response = client.post(
        f"/authoring/courses/{course_id}/files",
        data={"csrf_token": token, "file": (io.BytesIO(PNG), "a.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_attachments_of_an_imported_course_travel_with_its_export(app, world, course_folder, tmp_path):
    (course_folder / "files").mkdir()
    (course_folder / "files" / "chart.png").write_bytes(PNG)
    with app.app_context():
        import_folder(course_folder)
        exported = importer.export_course(db.session.scalar(select(Course)), tmp_path / "out")
    assert (exported / "files" / "chart.png").read_bytes() == PNG


@pytest.mark.parametrize(("cover", "status"), [(PNG, 200), (SVG, 404), (PDF, 404)])
def test_a_course_cover_is_served_only_when_it_is_a_raster_image(
    app, client, auth, world, course_folder, cover, status
):
    (course_folder / "cover.png").write_bytes(cover)
    text = (course_folder / "course.yml").read_text(encoding="utf-8")
    (course_folder / "course.yml").write_text(text + "cover: cover.png\n", encoding="utf-8")
    with app.app_context():
        import_folder(course_folder)
    auth.login("member_a")
    with client.get("/courses/test-course/cover") as response:
        assert response.status_code == status
