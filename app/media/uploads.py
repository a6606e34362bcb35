"""Receive a multipart upload straight into a file under MEDIA_ROOT/tmp, chunk by chunk.

Werkzeug's own form parsing would spool the file to the system's temporary folder (often a RAM-backed
tmpfs) under the site-wide request size limit; here the body is parsed with a stream factory that
writes to MEDIA_ROOT and with the media size limit. Whatever the caller does not move away is deleted.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from werkzeug.datastructures import MultiDict
from werkzeug.formparser import parse_form_data

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

MAX_FORM_FIELD_BYTES = 500 * 1024  # text fields (the token); also bounds the parser's buffer
MAX_FORM_PARTS = 20


@dataclass
class ReceivedUpload:
    form: MultiDict[str, str]
    path: Path | None  # the spooled file of ``field``, None when no file was sent
    filename: str


@contextmanager
def receive_upload(
    environ: "WSGIEnvironment", field: str, max_bytes: int, spool_dir: Path
) -> Iterator[ReceivedUpload]:
    """Parse the request body; a body over ``max_bytes`` raises RequestEntityTooLarge (413)."""
    spooled = []

    def spool_to_media_root(
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        handle = tempfile.NamedTemporaryFile(dir=spool_dir, prefix="upload-", delete=False)  # noqa: SIM115
        spooled.append(handle)
        return handle

    try:
        _stream, form, files = parse_form_data(
            environ,
            stream_factory=spool_to_media_root,
            max_form_memory_size=MAX_FORM_FIELD_BYTES,
            max_content_length=max_bytes,
            max_form_parts=MAX_FORM_PARTS,
        )
        for handle in spooled:
            handle.close()  # written and complete: the caller reads it by path
        upload = files.get(field)
        if upload is not None and upload.filename:
            yield ReceivedUpload(form=form, path=Path(upload.stream.name), filename=upload.filename)
        else:
            yield ReceivedUpload(form=form, path=None, filename="")
    finally:
        for handle in spooled:
            handle.close()
            Path(handle.name).unlink(missing_ok=True)
