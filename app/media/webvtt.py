"""Check a WebVTT subtitle file and read its cue text: plain functions, no Flask.

Only what a browser's ``<track>`` accepts passes: UTF-8 text beginning with the ``WEBVTT`` signature,
every line holding ``-->`` a well-formed cue timing line, and at least one cue. The cue text (tags and
timings stripped) is kept for search.
"""

import html
import re
from dataclasses import dataclass

# hh:mm:ss.ttt or mm:ss.ttt, then optional cue settings after white space.
TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
TIMING_LINE = re.compile(rf"^{TIMESTAMP}[ \t]+-->[ \t]+{TIMESTAMP}(?:[ \t]+[^\r\n]*)?$")
SRT_TIMING_LINE = re.compile(r"^\d{2}:\d{2}:\d{2},\d{3}\s+-->\s+\d{2}:\d{2}:\d{2},\d{3}")
SIGNATURE = re.compile(r"^WEBVTT(?:[ \t][^\r\n]*)?$")
CUE_TAG = re.compile(r"<[^>]*>")
# Text files hold tabs and line breaks, never the other C0 control characters.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class WebVTTError(ValueError):
    """Why a file is not WebVTT: ``code`` names the problem, ``line`` where it was found (1-based)."""

    def __init__(self, code: str, line: int | None = None):
        super().__init__(code if line is None else f"{code} at line {line}")
        self.code, self.line = code, line


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def parse_webvtt(data: bytes) -> list[Cue]:
    """Return the cues of a WebVTT file, or raise WebVTTError naming the first problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WebVTTError("not_utf8") from error
    text = text.removeprefix("\ufeff")
    if CONTROL.search(text):
        raise WebVTTError("binary")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not SIGNATURE.match(lines[0]):
        srt = any(SRT_TIMING_LINE.match(line.strip()) for line in lines[:10])
        raise WebVTTError("srt" if srt else "no_signature", 1)
    cues, index = [], 1
    while index < len(lines) and lines[index].strip():  # the header block, up to the first blank line
        if "-->" in lines[index]:
            raise WebVTTError("bad_timing", index + 1)
        index += 1
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        block_start = index
        while index < len(lines) and lines[index].strip():
            index += 1
        cue = _read_block(lines[block_start:index], block_start)
        if cue is not None:
            cues.append(cue)
    if not cues:
        raise WebVTTError("no_cues")
    return cues


def _read_block(block: list[str], offset: int) -> Cue | None:
    """Read one block (a cue, or a NOTE, STYLE or REGION block, which hold no cue); ``offset`` is 0-based."""
    first = block[0].strip()
    if first.split(maxsplit=1)[0] in ("NOTE", "STYLE", "REGION") and "-->" not in first:
        return None
    timing_at = 0 if "-->" in block[0] else 1  # a cue may start with an identifier line
    if timing_at >= len(block) or "-->" not in block[timing_at]:
        raise WebVTTError("bad_timing", offset + 1)  # neither a cue nor a comment
    match = TIMING_LINE.match(block[timing_at].strip())
    if match is None:
        raise WebVTTError("bad_timing", offset + timing_at + 1)
    start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:8])
    if end <= start:
        raise WebVTTError("bad_timing", offset + timing_at + 1)
    payload = block[timing_at + 1 :]
    for number, line in enumerate(payload, start=offset + timing_at + 2):
        if "-->" in line:
            raise WebVTTError("bad_timing", number)
    return Cue(start, end, " ".join(_plain(line) for line in payload if _plain(line)))


def _plain(line: str) -> str:
    """A cue line without its markup (<v Speaker>, <b>, <c.class>, timestamps) or entities."""
    return " ".join(html.unescape(CUE_TAG.sub("", line)).split())


def cue_text(cues: list[Cue]) -> str:
    """The words spoken, one cue a line: what the library search looks in."""
    return "\n".join(cue.text for cue in cues if cue.text)
