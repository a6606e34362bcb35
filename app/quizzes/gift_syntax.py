"""GIFT's text syntax, shared by the file reader and writer (``gift.py``) and by each question kind
(``kinds/``), which reads and writes its own answer block: escapes, format markers, weights."""

import re

from flask_babel import gettext as _

from app.quizzes.answers import Answer
from app.quizzes.models import TextFormat

# Escaped control characters become private-use placeholders while the text is cut up.
ESCAPES = {
    "\\:": "\ue000",
    "\\#": "\ue001",
    "\\=": "\ue002",
    "\\{": "\ue003",
    "\\}": "\ue004",
    "\\~": "\ue005",
}
NEWLINE_ESCAPE = "\ue006"
BACKSLASH = "\ue007"
UNESCAPE = {placeholder: escaped[1] for escaped, placeholder in ESCAPES.items()} | {NEWLINE_ESCAPE: "\n"}

WEIGHT = re.compile(r"^%(-?\d{1,3}(?:\.\d*)?)%")
FORMATS = {fmt.value: fmt for fmt in TextFormat}
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class GiftItemError(ValueError):
    """What is wrong with one question block (reported with its line)."""


# --- reading ---------------------------------------------------------------------------------


def escape_pre(text: str) -> str:
    """Replace escapes by placeholders, before the text is cut at its control characters."""
    text = text.replace("\\\\", BACKSLASH)
    for escaped, placeholder in ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text.replace("\\n", NEWLINE_ESCAPE).replace(BACKSLASH, "\\")


def escape_post(text: str) -> str:
    """Put the escaped characters back, once the text is cut up."""
    for placeholder, character in UNESCAPE.items():
        text = text.replace(placeholder, character)
    return text


def with_format(text: str, default: TextFormat) -> tuple[str, TextFormat]:
    """A text and its format: ``[html]…`` names one, else ``default``."""
    text = text.strip()
    fmt = default
    if text.startswith("[") and "]" in text:
        name = text[1 : text.index("]")]
        if name in FORMATS:
            fmt = FORMATS[name]
            text = text[text.index("]") + 1 :]
    return escape_post(text).strip(), fmt


def fraction_of(weight: float) -> float:
    """A weight in percent (``%50%``) as the share of the marks an answer stores (0.5)."""
    return round(weight / 100, 7)


def weight(answer: str, default: float) -> tuple[float, str]:
    """The share of the marks an answer's ``%50%`` gives (``default`` without one), and the rest."""
    match = WEIGHT.match(answer)
    if not match:
        return default, answer
    percent = float(match.group(1))
    if not -100 <= percent <= 100:
        raise GiftItemError(_("The weight %(weight)s%% is outside -100%% … 100%%.", weight=match.group(1)))
    return fraction_of(percent), answer[match.end() :]


def split(answer_text: str, marker: str) -> list[str]:
    """The answers of a block, cut before each ``marker`` (``=`` or ``~``)."""
    parts = answer_text.split(marker)
    if parts and not parts[0].strip():
        parts = parts[1:]
    return [part.strip() for part in parts]


def answer_of(answer: str, fraction: float, question_format: TextFormat) -> Answer:
    """An answer ``text#feedback`` (each may name its format) worth ``fraction``."""
    text, _sep, feedback = answer.partition("#")
    text, fmt = with_format(text, question_format)
    item: Answer = {"text": text, "fraction": fraction, "feedback": with_format(feedback, question_format)[0]}
    if fmt is not question_format:
        item["format"] = fmt.value
    return item


def number(value: str) -> float:
    value = value.strip()
    if not NUMBER.fullmatch(value):
        raise GiftItemError(_("“%(value)s” is not a number.", value=value))
    return float(value)


# --- writing ---------------------------------------------------------------------------------

RESERVED = str.maketrans(
    {
        "\\": "\\\\",
        "#": "\\#",
        "=": "\\=",
        "~": "\\~",
        "{": "\\{",
        "}": "\\}",
        ":": "\\:",
        "\n": "\\n",
        "\r": "",
    }
)


def escape(text: str) -> str:
    return text.translate(RESERVED)


def text_in(text: str, fmt: str, default: str) -> str:
    """A text escaped, with its format named when it is not ``default``."""
    prefix = f"[{fmt}]" if text and fmt != default else ""
    escaped = escape(text)
    if not prefix and escaped.startswith("["):
        # A leading "[" would be read as a format marker: name the format explicitly.
        prefix = f"[{fmt}]"
    return prefix + escaped


def number_text(value: float) -> str:
    """A number as GIFT writes it: no ".0" on whole numbers, no float noise."""
    value = round(value, 7)
    return str(int(value)) if value == int(value) else repr(value)


def weight_text(fraction: float) -> str:
    """The share of the marks as the percentage GIFT writes (0.5: "50")."""
    return number_text(fraction * 100)


def feedback_text(feedback: str, fmt: str) -> str:
    """``#feedback`` after an answer, or nothing."""
    return "#" + text_in(feedback, fmt, fmt) if feedback else ""


def answer_text_of(answer: Answer, fmt: str) -> str:
    """An answer as written after its ``=``/``~`` marker: its text, then ``#feedback``."""
    return text_in(answer["text"], answer.get("format", fmt), fmt) + feedback_text(
        answer.get("feedback", ""), fmt
    )
