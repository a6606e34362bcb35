"""Images and PDFs attached to a course: kept in the course folder's files/, checked by content.

A file is accepted and served only when its first bytes say it is PNG, JPEG, GIF, WebP or PDF; the
extension and the browser's claimed type are ignored, so SVG, HTML or a script renamed to .png is
never stored or served. Files are named by their content hash, so uploading one twice keeps one copy.
Lessons link them as ``../files/<name>`` (correct both on the site and when browsing the folder).
"""

import hashlib
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.courses import review
from app.courses.errors import CourseError
from app.courses.folder import FILES_FOLDER
from app.courses.importer import course_folder, courses_dir
from app.courses.models import Course

# (signature at offset 0, extra check, extension, MIME type)
SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", None, ".png", "image/png"),
    (b"\xff\xd8\xff", None, ".jpg", "image/jpeg"),
    (b"GIF87a", None, ".gif", "image/gif"),
    (b"GIF89a", None, ".gif", "image/gif"),
    (b"RIFF", (8, b"WEBP"), ".webp", "image/webp"),
    (b"%PDF-", None, ".pdf", "application/pdf"),
]
MIME_BY_EXTENSION = {extension: mime for _sig, _extra, extension, mime in SIGNATURES}


def sniff(head: bytes) -> tuple[str, str] | None:
    """Return (extension, MIME type) for an accepted file's first bytes, else None."""
    for signature, extra, extension, mime in SIGNATURES:
        if head.startswith(signature) and (
            extra is None or head[extra[0] : extra[0] + len(extra[1])] == extra[1]
        ):
            return extension, mime
    return None


def attachments_dir(course: Course) -> Path:
    course = course.draft_of or course  # a working copy shares its published course's files
    folder = course_folder(course) or courses_dir() / course.slug
    return folder / FILES_FOLDER


def list_attachments(course: Course) -> list[Path]:
    folder = attachments_dir(course)
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file() and path.suffix in MIME_BY_EXTENSION)


def save_attachment(course: Course, data: bytes) -> Path:
    """Store an uploaded image or PDF for the course; return its path."""
    review.ensure_editable(course)
    if len(data) > current_app.config["COURSE_ATTACHMENT_MAX_BYTES"]:
        raise CourseError(_("The file is too large (at most 10 MB)."))
    kind = sniff(data[:16])
    if kind is None:
        raise CourseError(_("Only PNG, JPEG, GIF or WebP images and PDF documents can be attached."))
    extension, _mime = kind
    folder = attachments_dir(course)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:20]}{extension}"
    if not path.exists():
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        partial.replace(path)
    return path


def servable_attachment(course: Course, name: str) -> tuple[Path, str] | None:
    """Return the file and its MIME type when ``name`` is an attachment whose content checks out."""
    folder = attachments_dir(course)
    path = (folder / name).resolve()
    if "/" in name or not path.is_relative_to(folder.resolve()) or not path.is_file():
        return None
    with path.open("rb") as handle:
        kind = sniff(handle.read(16))
    if kind is None or MIME_BY_EXTENSION.get(path.suffix.lower()) != kind[1]:
        return None
    return path, kind[1]
