"""Moodle's GIFT format: a hand-written reader and writer (docs/gift.md).

The reader follows Moodle's own importer (question/format/gift/format.php) rule for rule, so a
file Moodle accepts reads the same here: questions are separated by blank lines, ``//`` lines are
comments (``[id:…]``, ``[tag:…]`` and our ``[difficulty:…]`` inside them are read), escapes are
replaced by placeholders before anything else, the first ``{`` … ``}`` holds the answers and the
kind is decided the way Moodle decides it. Anything it cannot take is reported with its line.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from flask_babel import gettext as _

from app.quizzes.answers import StoredAnswer
from app.quizzes.gift_syntax import (
    GiftItemError,
    escape,
    escape_post,
    escape_pre,
    text_in,
    with_format,
)
from app.quizzes.kinds import get_kind, kind_of_gift_block
from app.quizzes.models import Category, TextFormat

COMMENT_TAG = re.compile(r"\[(id|tag|difficulty):([^\]]*)\]")
BLANK = "_____"  # where the answers stood in a question text going on after them
CATEGORY_PREFIX = re.compile(r"^(?:\$[a-z0-9]+\$(?:/|$))?(?:top(?:/|$))?")


@dataclass
class GiftQuestion:
    kind: str  # a registered kind's name (app/quizzes/kinds)
    title: str
    text: str
    format: TextFormat
    general_feedback: str
    answers: list[StoredAnswer]
    category: str
    line: int
    tags: list[str] = field(default_factory=list)
    idnumber: str | None = None
    difficulty: int | None = None


@dataclass
class GiftResult:
    questions: list[GiftQuestion] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    categories: list[str] = field(default_factory=list)


def category_path_from_gift(raw: str) -> str:
    """Turn "$course$/top/党史/新中国" into our category path "党史/新中国"."""
    path = CATEGORY_PREFIX.sub("", raw.strip())
    return "/".join(part.strip() for part in path.split("/") if part.strip())


def _read_block(text: str, line: int, category: str, comments: list[str]) -> GiftQuestion:
    text = escape_pre(text)
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:  # Moodle: no closing "::" means no title, and the text goes on after the "::"
            text = text[2:]
        else:
            title = " ".join(escape_post(text[2:end]).split())
            text = text[end + 2 :].strip()
    start, end = text.find("{"), text.find("}")
    answer_text: str | None
    if start < 0 and end < 0:
        answer_text, question_text = None, text
    elif start < 0 or end < 0 or end < start:
        raise GiftItemError(_("The answers must be enclosed in one pair of braces { }."))
    else:
        if "{" in text[end:] or "}" in text[end + 1 :]:
            raise GiftItemError(
                _("A question may have only one answer block { }; escape other braces as \\{ \\}.")
            )
        answer_text = text[start + 1 : end].strip()
        question_text = text[:start] if text.endswith("}") else text[:start] + BLANK + text[end + 1 :]
    general_feedback = ""
    if answer_text is not None and "####" in answer_text:
        cut = answer_text.rindex("####")
        answer_text, general_feedback = answer_text[:cut].strip(), answer_text[cut + 4 :]
    question_text, fmt = with_format(question_text, TextFormat.MOODLE)
    general_feedback = with_format(general_feedback, fmt)[0]
    kind = kind_of_gift_block(answer_text)  # decided the way Moodle decides it
    answers = kind.read_gift(answer_text or "", fmt)
    if not question_text and kind.answerable:
        raise GiftItemError(_("The question has no text."))
    problems = kind.validate(answers)
    if problems:
        raise GiftItemError(" ".join(problems))
    question = GiftQuestion(kind.name, title, question_text, fmt, general_feedback, answers, category, line)
    _read_comment_tags(question, comments)
    return question


def _read_comment_tags(question: GiftQuestion, comments: list[str]) -> None:
    for comment in comments:
        for key, value in COMMENT_TAG.findall(comment):
            value = value.strip()
            if key == "id" and value:
                question.idnumber = value
            elif key == "tag" and value and value not in question.tags:
                question.tags.append(value)
            elif key == "difficulty" and value.isdigit() and 1 <= int(value) <= 5:
                question.difficulty = int(value)


def _blocks(source: str) -> Iterator[tuple[int | None, list[str], list[str]]]:
    """Yield (first line number, lines, comment lines) for each blank-line separated block."""
    lines: list[str] = []
    comments: list[str] = []
    first: int | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        if not line.strip():
            if lines or comments:
                yield first, lines, comments
            lines, comments, first = [], [], None
            continue
        if line.strip().startswith("//"):
            comments.append(line.strip()[2:])
            lines.append("")
            continue
        if first is None:
            first = number
        lines.append(line)
    if lines or comments:
        yield first, lines, comments


def parse_gift(source: str) -> GiftResult:
    """Read every question of a GIFT file; report each block it cannot take with its line number."""
    result = GiftResult()
    category = ""
    source = source.lstrip("\ufeff")
    for first, lines, comments in _blocks(source):
        text = "\n".join(lines).strip()
        if not text:
            continue
        line = first or 0  # a block with text has a first line
        if text.startswith("$CATEGORY:"):
            category = category_path_from_gift(text[len("$CATEGORY:") :])
            result.categories.append(category)
            continue
        try:
            result.questions.append(_read_block(text, line, category, comments))
        except GiftItemError as error:
            result.errors.append((line, str(error)))
    return result


# --- writing ---------------------------------------------------------------------------------


class Writable(Protocol):
    """What a GIFT block is written from: a Question or a GiftQuestion."""

    @property
    def kind(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def format(self) -> TextFormat: ...

    @property
    def general_feedback(self) -> str: ...

    @property
    def answers(self) -> list[StoredAnswer]: ...

    @property
    def tags(self) -> list[str]: ...

    @property
    def idnumber(self) -> str | None: ...

    @property
    def difficulty(self) -> int | None: ...


class WritableInCategory(Writable, Protocol):
    @property
    def category(self) -> "str | Category": ...


def write_question(question: Writable) -> str:
    """Write one question (a Question or GiftQuestion) as a GIFT block Moodle accepts."""
    kind = get_kind(question.kind)
    fmt = TextFormat(question.format).value
    lines = []
    markers = [f"[id:{question.idnumber}]"] if question.idnumber else []
    markers += [f"[tag:{tag}]" for tag in question.tags or []]
    if question.difficulty:
        markers.append(f"[difficulty:{question.difficulty}]")
    if markers:
        lines.append("// " + " ".join(markers))
    head = (f"::{escape(question.title)}::" if question.title else "") + text_in(question.text, fmt, "moodle")
    general = "####" + text_in(question.general_feedback, fmt, fmt) if question.general_feedback else ""
    lines.extend(kind.write_gift(head, question.answers, fmt, general))
    return "\n".join(lines)


def write_gift(questions: Iterable[WritableInCategory]) -> str:
    """Write questions grouped under ``$CATEGORY:`` lines; reading it back gives the same questions."""
    blocks, category = [], None
    for question in questions:
        path = question.category if isinstance(question.category, str) else question.category.path
        if path != category:
            blocks.append(f"$CATEGORY: $course$/top/{path}" if path else "$CATEGORY: $course$/top")
            category = path
        blocks.append(write_question(question))
    return "\n\n".join(blocks) + "\n"
