"""Subtitles: attaching a checked WebVTT file to a video, deleting it, finding videos by their words.

Files live beside the video's own: videos/<sha[:2]>/<sha>/subtitles/<language>-<hash>.vtt, so deleting
the video removes them too. A refused file leaves nothing behind: it is checked before anything is written.
"""

import hashlib
import logging
import os
import re
from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select

from app.auth.models import User
from app.extensions import contains_pattern, db
from app.media import storage
from app.media.models import Subtitle, Video
from app.media.services import MediaError
from app.media.webvtt import WebVTTError, cue_text, parse_webvtt

log = logging.getLogger(__name__)

# Called with the video after its subtitles changed (added, replaced, removed), once committed: the
# library re-indexes the resources that show it (their search covers the subtitles' words).
subtitles_changed: list[Callable[[Video], None]] = []


def listen_subtitles_changed(listener: Callable[[Video], None]) -> None:
    """Subscribe once (building several apps in one process subscribes again)."""
    if listener not in subtitles_changed:
        subtitles_changed.append(listener)


def _announce(video: Video) -> None:
    for listener in subtitles_changed:
        listener(video)


DEFAULT_LANGUAGE = "zh-CN"
DEFAULT_LABEL = "中文"
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$")
MAX_LABEL = 50
SNIPPET_CONTEXT = 24  # characters shown either side of a search hit in the subtitles

REFUSALS = {
    "not_utf8": _l(
        "This file is not UTF-8 text. Upload a WebVTT (.vtt) subtitle file saved as UTF-8 "
        "(an image, a document or another binary file cannot be used)."
    ),
    "binary": _l("This file is not a text file: upload a WebVTT (.vtt) subtitle file."),
    "srt": _l(
        "This looks like an SRT subtitle file. Convert it to WebVTT (.vtt) first (most subtitle "
        "editors can), then upload it."
    ),
    "no_signature": _l("This is not a WebVTT file: its first line must be “WEBVTT”."),
    "no_cues": _l("This WebVTT file holds no captions: add at least one timed cue."),
}


def _refusal(error: WebVTTError) -> str:
    if error.code == "bad_timing":
        return _(
            "Line %(line)d is not a well-formed cue timing line: write it as “00:00:01.000 --> "
            "00:00:04.000”, with the end after the start.",
            line=error.line,
        )
    return str(REFUSALS[error.code])


def normalise_language(tag: str) -> str:
    """Return a BCP 47 language tag in its usual case (zh-CN, en, zh-Hans-CN), or raise MediaError."""
    tag = tag.strip().replace("_", "-")
    if not LANGUAGE.match(tag):
        raise MediaError(_("Give the subtitles' language as a code such as zh-CN or en."))
    parts = tag.split("-")
    cased = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            cased.append(part.upper())  # a region
        elif len(part) == 4 and part.isalpha():
            cased.append(part.title())  # a script
        else:
            cased.append(part.lower())
    return "-".join(cased)


def add_subtitle(
    video: Video, data: bytes, language: str, label: str, uploaded_by: User | None
) -> tuple[Subtitle, bool]:
    """Check ``data`` as WebVTT and attach it to ``video``; return the subtitle and whether it replaced one.

    A video has one subtitle file per language: a new file for the same language replaces the old one.
    """
    if len(data) > current_app.config["MEDIA_SUBTITLE_MAX_BYTES"]:
        raise MediaError(
            _(
                "The subtitle file is too large (at most %(size)s).",
                size=_megabytes(current_app.config["MEDIA_SUBTITLE_MAX_BYTES"]),
            )
        )
    if not data:
        raise MediaError(_("The file is empty."))
    language = normalise_language(language or DEFAULT_LANGUAGE)
    label = " ".join((label or "").split()) or (DEFAULT_LABEL if language == DEFAULT_LANGUAGE else language)
    if len(label) > MAX_LABEL:
        raise MediaError(
            _("The subtitles' label is too long (at most %(count)d characters).", count=MAX_LABEL)
        )
    try:
        cues = parse_webvtt(data)
    except WebVTTError as error:
        log.info("subtitles for video %s refused: %s", video.id, error)
        raise MediaError(_refusal(error)) from error

    digest = hashlib.sha256(data).hexdigest()
    path = f"{storage.video_dir(video.sha256)}/subtitles/{language}-{digest[:16]}.vtt"
    destination = storage.absolute(path)
    destination.parent.mkdir(parents=True, exist_ok=True)
    written = destination.with_name(f".{destination.name}.part")
    written.write_bytes(data)
    os.replace(written, destination)

    subtitle = db.session.scalar(
        select(Subtitle).where(Subtitle.video_id == video.id, Subtitle.language == language)
    )
    replaced, old_path = subtitle is not None, subtitle.path if subtitle else None
    if subtitle is None:
        subtitle = Subtitle(video=video, language=language)
        db.session.add(subtitle)
    subtitle.label = label
    subtitle.path = path
    subtitle.size_bytes = len(data)
    subtitle.cue_text = cue_text(cues)
    subtitle.uploaded_by = uploaded_by
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if path != old_path:
            destination.unlink(missing_ok=True)
        raise
    if old_path and old_path != path:
        storage.absolute(old_path).unlink(missing_ok=True)
    _announce(video)
    return subtitle, replaced


def delete_subtitle(subtitle: Subtitle) -> None:
    """Remove a subtitle and its file."""
    path, video = subtitle.path, subtitle.video
    db.session.delete(subtitle)
    db.session.commit()
    storage.absolute(path).unlink(missing_ok=True)
    _announce(video)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


# Search ------------------------------------------------------------------------------------------


def filter_videos(statement: Select[Video], query: str) -> Select[Video]:
    """Keep the videos whose file name or subtitle text contains ``query`` (no filter when it is blank)."""
    query = " ".join((query or "").split())
    if not query:
        return statement
    pattern = contains_pattern(query)
    in_subtitles = (
        select(Subtitle.id)
        .where(Subtitle.video_id == Video.id, Subtitle.cue_text.ilike(pattern, escape="\\"))
        .exists()
    )
    return statement.where(or_(Video.original_filename.ilike(pattern, escape="\\"), in_subtitles))


def subtitle_snippet(video: Video, query: str) -> str | None:
    """The words around the first hit of ``query`` in the video's subtitles, for the result list."""
    query = " ".join((query or "").split()).lower()
    if not query:
        return None
    for subtitle in video.subtitles:
        text = " ".join(subtitle.cue_text.split())
        at = text.lower().find(query)
        if at >= 0:
            start, end = max(at - SNIPPET_CONTEXT, 0), at + len(query) + SNIPPET_CONTEXT
            return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return None
