"""Pictures: checked by their content, re-encoded without metadata, stored by content hash.

An uploaded file is accepted only when Pillow recognises it as PNG, JPEG, GIF or WebP by its bytes
(the name and the browser's claimed type are ignored) and its declared size in pixels is within
``MEDIA_IMAGE_MAX_PIXELS`` before anything is decoded, so a decompression bomb costs nothing. The
picture is then decoded and written again (JPEG, or PNG when it has transparency): EXIF (with its GPS
position), XMP, comments and anything appended to the file are gone, and the longest side is at most
``MEDIA_IMAGE_MAX_SIDE``. The stored file is MEDIA_ROOT/images/<sha[:2]>/<sha>.<ext>; the same picture
uploaded twice is stored once. Uploads count against the account's quotas (app/media/quotas.py).
"""

import hashlib
import io
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image as PillowImage
from PIL import ImageOps, UnidentifiedImageError
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.media import quotas, storage
from app.media.models import Image
from app.media.services import MediaError

ACCEPTED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
JPEG_QUALITY = 85


def max_bytes() -> int:
    return int(current_app.config["MEDIA_IMAGE_MAX_BYTES"])


def _opened(data: bytes) -> PillowImage.Image:
    """The picture Pillow reads in ``data`` (header only); MediaError when it is not one we take."""
    if len(data) > max_bytes():
        raise MediaError(_("The picture is too large: at most %(size)s MB.", size=max_bytes() // 1024**2))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PillowImage.DecompressionBombWarning)
            picture = PillowImage.open(io.BytesIO(data), formats=sorted(ACCEPTED_FORMATS))
    except (
        UnidentifiedImageError,
        PillowImage.DecompressionBombError,
        PillowImage.DecompressionBombWarning,
        OSError,
        ValueError,
    ) as error:
        raise MediaError(_("This file is not a PNG, JPEG, GIF or WebP picture.")) from error
    width, height = picture.size
    if width < 1 or height < 1 or width * height > current_app.config["MEDIA_IMAGE_MAX_PIXELS"]:
        raise MediaError(
            _("The picture has too many pixels (%(width)d × %(height)d).", width=width, height=height)
        )
    return picture


def reencode(data: bytes) -> tuple[bytes, str, str, int, int]:
    """The picture in ``data`` decoded and written again without metadata: (bytes, extension, MIME
    type, width, height). Raise MediaError (translated) for anything else."""
    picture = _opened(data)
    try:
        picture.load()
        picture = ImageOps.exif_transpose(picture)  # keep the orientation the EXIF data gave it
        side = current_app.config["MEDIA_IMAGE_MAX_SIDE"]
        if max(picture.size) > side:
            picture.thumbnail((side, side))
        transparent = picture.mode in ("RGBA", "LA", "PA") or (
            picture.mode == "P" and "transparency" in picture.info
        )
        encoded = io.BytesIO()  # a picture's bytes (spreadsheets are saved by app/spreadsheets.py only)
        if transparent:
            clean = picture.convert("RGBA")
            clean.save(encoded, format="PNG", optimize=True)
            extension, mime = ".png", "image/png"
        else:
            clean = picture.convert("RGB")
            clean.save(encoded, format="JPEG", quality=JPEG_QUALITY, optimize=True)
            extension, mime = ".jpg", "image/jpeg"
    except (OSError, ValueError, SyntaxError) as error:  # a truncated or damaged file
        raise MediaError(_("This picture is damaged and cannot be read.")) from error
    return encoded.getvalue(), extension, mime, clean.width, clean.height


def add_image(data: bytes, uploaded_by: User | None) -> Image:
    """Check and store a picture (flushed; the caller commits). Quotas are the caller's (upload pages)."""
    clean, extension, mime, width, height = reencode(data)
    digest = hashlib.sha256(clean).hexdigest()
    existing = db.session.scalar(select(Image).where(Image.sha256 == digest))
    if existing is not None:
        return existing
    relative = f"images/{digest[:2]}/{digest}{extension}"
    path = storage.absolute(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(clean)
    partial.replace(path)
    image = Image(
        sha256=digest,
        path=relative,
        mime_type=mime,
        width=width,
        height=height,
        size_bytes=len(clean),
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
    )
    db.session.add(image)
    db.session.flush()
    return image


def upload_image(data: bytes, user: User) -> Image:
    """An upload page's picture: the account's quotas checked and the file counted, then ``add_image``."""
    quotas.check_upload(user, len(data))
    quotas.record_upload(user, "image", len(data))
    return add_image(data, user)


def image_file(image: Image) -> Path:
    return storage.absolute(image.path)
