"""Safe extraction of an uploaded course folder (.zip) and its import.

Every entry is checked before anything is written: no absolute paths or "..", nothing that lands
outside the target, no symlinks or special files, limits on the number of entries, the total
unpacked size and each entry's compression ratio (zip bombs). Sizes are enforced while unpacking too,
since the sizes a zip declares can lie.
"""

import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _

from app.auth.models import User
from app.courses import importer, review
from app.courses.errors import CourseError
from app.courses.folder import COURSE_FILE, parse_course_folder
from app.courses.models import Course
from app.courses.permissions import can_edit_course
from app.extensions import db


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 2000
    max_total_bytes: int = 500 * 1024 * 1024
    max_ratio: int = 100  # unpacked size / compressed size, per entry


CHUNK = 64 * 1024


def _check_entry(info: zipfile.ZipInfo, target: Path) -> Path | None:
    """Return where the entry goes (None for a directory), or raise when it is unsafe."""
    name = info.filename
    pure = PurePosixPath(name)
    if "\\" in name or name.startswith("/") or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        raise CourseError(_("The archive holds an unsafe path: %(name)s", name=name))
    file_type = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip was made without Unix modes
    if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise CourseError(_("The archive holds a link or special file: %(name)s", name=name))
    destination = (target / pure).resolve()
    if not destination.is_relative_to(target.resolve()):
        raise CourseError(_("The archive holds an unsafe path: %(name)s", name=name))
    return None if info.is_dir() else destination


def extract_zip(archive: Path, target: Path, limits: ZipLimits = ZipLimits()) -> None:
    """Unpack ``archive`` into the empty folder ``target``, refusing anything unsafe."""
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise CourseError(_("The file is not a readable .zip archive.")) from error
    with bundle:
        entries = bundle.infolist()
        if len(entries) > limits.max_entries:
            raise CourseError(_("The archive holds more than %(count)d files.", count=limits.max_entries))
        declared = 0
        plan = []
        for info in entries:
            destination = _check_entry(info, target)
            declared += info.file_size
            if declared > limits.max_total_bytes:
                raise CourseError(_("The archive unpacks to more than the allowed size."))
            if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise CourseError(
                    _("The archive is compressed suspiciously well: %(name)s", name=info.filename)
                )
            plan.append((info, destination))
        written = 0
        for info, destination in plan:
            if destination is None:
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(info) as source, destination.open("wb") as sink:
                entry_bytes = 0
                while chunk := source.read(CHUNK):
                    entry_bytes += len(chunk)
                    written += len(chunk)
                    if entry_bytes > info.file_size or written > limits.max_total_bytes:
                        raise CourseError(_("The archive unpacks to more than the allowed size."))
                    sink.write(chunk)


def _course_root(folder: Path) -> Path:
    """The folder holding course.yml: the archive's top level or its single top folder."""
    if (folder / COURSE_FILE).is_file():
        return folder
    children = [child for child in folder.iterdir() if not child.name.startswith((".", "__MACOSX"))]
    if len(children) == 1 and children[0].is_dir() and (children[0] / COURSE_FILE).is_file():
        return children[0]
    raise CourseError(_("The archive has no course.yml at its top level."))


def import_zip(archive: Path, uploader: User, limits: ZipLimits = ZipLimits()) -> importer.ImportResult:
    """Unpack an uploaded course folder, check it, put it in COURSES_DIR/<slug> and import it."""
    base = importer.courses_dir()
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".upload-", dir=base))
    try:
        extract_zip(archive, staging, limits)
        root = _course_root(staging)
        spec = parse_course_folder(root)
        existing = db.session.scalar(db.select(Course).where(Course.slug == spec.slug))
        if existing is not None and not can_edit_course(uploader, existing):
            raise CourseError(_('The course "%(slug)s" belongs to another trainer.', slug=spec.slug))
        as_draft = review.upload_as_draft(existing)
        final = base / spec.slug
        previous = base / f".previous-{spec.slug}"
        shutil.rmtree(previous, ignore_errors=True)
        if final.exists():
            final.rename(previous)
        root.rename(final)
        try:
            result = importer.import_course(final, uploader, as_draft=as_draft, uploaded_by=uploader)
        except Exception:
            shutil.rmtree(final, ignore_errors=True)
            if previous.exists():
                previous.rename(final)
            raise
        shutil.rmtree(previous, ignore_errors=True)
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)
