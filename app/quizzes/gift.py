"""Moodle's GIFT format: a hand-written reader and writer (docs/gift.md).

The reader follows Moodle's own importer (question/format/gift/format.php) rule for rule, so a
file Moodle accepts reads the same here: questions are separated by blank lines, ``//`` lines are
comments (``[id:…]``, ``[tag:…]`` and our ``[difficulty:…]`` inside them are read), escapes are
replaced by placeholders before anything else, the first ``{`` … ``}`` holds the answers and the
kind is decided the way Moodle decides it. Anything it cannot take is reported with its line.
"""

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.quizzes.kinds import NUMBER, get_kind
from app.quizzes.models import QuestionKind, TextFormat

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
COMMENT_TAG = re.compile(r"\[(id|tag|difficulty):([^\]]*)\]")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
FORMATS = {fmt.value: fmt for fmt in TextFormat}
BLANK = "_____"
CATEGORY_PREFIX = re.compile(r"^(?:\$[a-z0-9]+\$(?:/|$))?(?:top(?:/|$))?")


@dataclass
class GiftQuestion:
    kind: QuestionKind
    title: str
    text: str
    format: TextFormat
    general_feedback: str
    answers: list[dict]
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


class GiftItemError(ValueError):
    pass


def category_path_from_gift(raw: str) -> str:
    """Turn "$course$/top/党史/新中国" into our category path "党史/新中国"."""
    path = CATEGORY_PREFIX.sub("", raw.strip())
    return "/".join(part.strip() for part in path.split("/") if part.strip())


def _escape_pre(text: str) -> str:
    text = text.replace("\\\\", BACKSLASH)
    for escaped, placeholder in ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text.replace("\\n", NEWLINE_ESCAPE).replace(BACKSLASH, "\\")


def _escape_post(text: str) -> str:
    for placeholder, character in UNESCAPE.items():
        text = text.replace(placeholder, character)
    return text


def _with_format(text: str, default: TextFormat) -> tuple[str, TextFormat]:
    text = text.strip()
    fmt = default
    if text.startswith("[") and "]" in text:
        name = text[1 : text.index("]")]
        if name in FORMATS:
            fmt = FORMATS[name]
            text = text[text.index("]") + 1 :]
    return _escape_post(text).strip(), fmt


def _weight(answer: str, default: float) -> tuple[float, str]:
    match = WEIGHT.match(answer)
    if not match:
        return default, answer
    weight = float(match.group(1))
    if not -100 <= weight <= 100:
        raise GiftItemError(_("The weight %(weight)s%% is outside -100%% … 100%%.", weight=match.group(1)))
    return fraction_of(weight), answer[match.end() :]


def fraction_of(weight: float) -> float:
    """A weight in percent (``%50%``) as the share of the marks an answer stores (0.5)."""
    return round(weight / 100, 7)


def _answer(answer: str, fraction: float, question_format: TextFormat) -> dict:
    text, _sep, feedback = answer.partition("#")
    text, fmt = _with_format(text, question_format)
    item = {"text": text, "fraction": fraction, "feedback": _with_format(feedback, question_format)[0]}
    if fmt is not question_format:
        item["format"] = fmt.value
    return item


def _split(answer_text: str, marker: str) -> list[str]:
    parts = answer_text.split(marker)
    if parts and not parts[0].strip():
        parts = parts[1:]
    return [part.strip() for part in parts]


def _choices(answer_text: str, fmt: TextFormat) -> list[dict]:
    answers = []
    for part in _split(answer_text.replace("=", "~="), "~"):
        if part.startswith("="):
            fraction, part = _weight(part[1:], 1.0)
        else:
            fraction, part = _weight(part, 0.0)
        answers.append(_answer(part, fraction, fmt))
    if len(answers) < 2:
        raise GiftItemError(_("A choice question needs at least two options."))
    return answers


def _number(value: str) -> float:
    value = value.strip()
    if not NUMBER.fullmatch(value):
        raise GiftItemError(_("“%(value)s” is not a number.", value=value))
    return float(value)


def _numerical(answer_text: str, fmt: TextFormat) -> list[dict]:
    answer_text = answer_text[1:]
    wrong = ""
    if "~" in answer_text:
        answer_text, wrong = answer_text[: answer_text.index("~")], answer_text[answer_text.index("~") :]
    answers = []
    for part in _split(answer_text, "="):
        fraction, part = _weight(part, 1.0)
        item = _answer(part, fraction, fmt)
        value = item["text"]
        if value.find("..") > 0:
            low, high = (_number(bound) for bound in value.split("..", 1))
            if low > high:
                raise GiftItemError(_("The range %(range)s runs backwards.", range=value))
            item["min"], item["max"] = low, high
        elif value.find(":") > 0:
            number, tolerance = value.split(":", 1)
            _number(number)
            item["text"], item["tolerance"] = number.strip(), abs(_number(tolerance))
        else:
            _number(value)
            item["tolerance"] = 0.0
        item.pop("format", None)
        answers.append(item)
    if not answers:
        raise GiftItemError(_("A numerical question needs at least one number."))
    if wrong:
        answers.append(
            {"text": "*", "fraction": 0.0, "feedback": _with_format(wrong.partition("#")[2], fmt)[0]}
        )
    return answers


def _matching(answer_text: str, fmt: TextFormat) -> list[dict]:
    pairs = []
    for part in _split(answer_text, "="):
        if "->" not in part:
            raise GiftItemError(_("Every matching pair needs “->” between question and answer."))
        question, answer = part.split("->", 1)
        pairs.append({"question": _with_format(question, fmt)[0], "answer": _escape_post(answer).strip()})
    if len(pairs) < 2:
        raise GiftItemError(_("A matching question needs at least two pairs."))
    return pairs


def _true_false(answer_text: str, fmt: TextFormat) -> list[dict]:
    bits = [*answer_text.split("#", 2), "", ""]
    correct = TRUE_FALSE[bits[0].strip()]
    # Moodle: the first feedback is for a wrong answer, the second for the right one.
    wrong, right = _with_format(bits[1], fmt)[0], _with_format(bits[2], fmt)[0]
    return [
        {"text": "true", "fraction": 1.0 if correct else 0.0, "feedback": right if correct else wrong},
        {"text": "false", "fraction": 0.0 if correct else 1.0, "feedback": wrong if correct else right},
    ]


def _shortanswers(answer_text: str, fmt: TextFormat) -> list[dict]:
    answers = []
    for part in _split(answer_text, "="):
        fraction, part = _weight(part, 1.0)
        answers.append(_answer(part, fraction, fmt))
    if not answers:
        raise GiftItemError(_("A fill-in-the-blank question needs at least one accepted answer."))
    return answers


def _kind_of(answer_text: str) -> QuestionKind:
    if answer_text == "":
        return QuestionKind.ESSAY
    if answer_text.startswith("#"):
        return QuestionKind.NUMERICAL
    if "~" in answer_text:
        # Moodle: no "=" means no single right answer, so several may be chosen.
        return QuestionKind.SINGLE if "=" in answer_text else QuestionKind.MULTIPLE
    if "=" in answer_text and "->" in answer_text:
        return QuestionKind.MATCHING
    if answer_text.split("#", 1)[0].strip() in TRUE_FALSE:
        return QuestionKind.TRUEFALSE
    return QuestionKind.SHORTANSWER


ANSWER_READERS = {
    QuestionKind.SINGLE: _choices,
    QuestionKind.MULTIPLE: _choices,
    QuestionKind.TRUEFALSE: _true_false,
    QuestionKind.SHORTANSWER: _shortanswers,
    QuestionKind.NUMERICAL: _numerical,
    QuestionKind.MATCHING: _matching,
}


def _read_block(text: str, line: int, category: str, comments: list[str]) -> GiftQuestion:
    text = _escape_pre(text)
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:  # Moodle: no closing "::" means no title, and the text goes on after the "::"
            text = text[2:]
        else:
            title = " ".join(_escape_post(text[2:end]).split())
            text = text[end + 2 :].strip()
    start, end = text.find("{"), text.find("}")
    if start < 0 and end < 0:
        kind, answer_text, question_text = QuestionKind.DESCRIPTION, "", text
    elif start < 0 or end < 0 or end < start:
        raise GiftItemError(_("The answers must be enclosed in one pair of braces { }."))
    else:
        if "{" in text[end:] or "}" in text[end + 1 :]:
            raise GiftItemError(
                _("A question may have only one answer block { }; escape other braces as \\{ \\}.")
            )
        answer_text = text[start + 1 : end].strip()
        question_text = text[:start] if text.endswith("}") else text[:start] + BLANK + text[end + 1 :]
        kind = None
    general_feedback = ""
    if "####" in answer_text:
        cut = answer_text.rindex("####")
        answer_text, general_feedback = answer_text[:cut].strip(), answer_text[cut + 4 :]
    question_text, fmt = _with_format(question_text, TextFormat.MOODLE)
    general_feedback = _with_format(general_feedback, fmt)[0]
    if kind is None:
        kind = _kind_of(answer_text)
    answers = ANSWER_READERS[kind](answer_text, fmt) if kind in ANSWER_READERS else []
    if not question_text and kind is not QuestionKind.DESCRIPTION:
        raise GiftItemError(_("The question has no text."))
    problems = get_kind(kind).validate(answers)
    if problems:
        raise GiftItemError(" ".join(problems))
    question = GiftQuestion(kind, title, question_text, fmt, general_feedback, answers, category, line)
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


def _blocks(source: str):
    """Yield (first line number, lines, comment lines) for each blank-line separated block."""
    lines, comments, first = [], [], None
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
    for line, lines, comments in _blocks(source):
        text = "\n".join(lines).strip()
        if not text:
            continue
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


def _escape(text: str) -> str:
    return text.translate(RESERVED)


def _text(text: str, fmt: str, default: str) -> str:
    prefix = f"[{fmt}]" if text and fmt != default else ""
    escaped = _escape(text)
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


def _feedback(feedback: str, fmt: str) -> str:
    return "#" + _text(feedback, fmt, fmt) if feedback else ""


def _answer_text(answer: dict, fmt: str) -> str:
    return _text(answer["text"], answer.get("format", fmt), fmt) + _feedback(answer.get("feedback", ""), fmt)


def _write_answers(kind: QuestionKind, answers: list[dict], fmt: str) -> list[str]:
    if kind is QuestionKind.SINGLE:
        return [
            ("=" if a["fraction"] >= 1 else "~" if a["fraction"] == 0 else f"~%{weight_text(a['fraction'])}%")
            + _answer_text(a, fmt)
            for a in answers
        ]
    if kind is QuestionKind.MULTIPLE:
        return [
            ("~" if a["fraction"] == 0 else f"~%{weight_text(a['fraction'])}%") + _answer_text(a, fmt)
            for a in answers
        ]
    if kind is QuestionKind.SHORTANSWER:
        return [f"=%{weight_text(a['fraction'])}%" + _answer_text(a, fmt) for a in answers]
    if kind is QuestionKind.MATCHING:
        return [f"={_text(p['question'], fmt, fmt)} -> {_escape(p['answer'])}" for p in answers]
    if kind is QuestionKind.NUMERICAL:
        lines = []
        for a in answers:
            if a["text"] == "*":
                lines.append("~#" + _text(a.get("feedback", ""), fmt, fmt))
                continue
            if "min" in a:
                value = f"{number_text(a['min'])}..{number_text(a['max'])}"
            else:
                value = f"{a['text']}:{number_text(a.get('tolerance', 0))}"
            lines.append(f"=%{weight_text(a['fraction'])}%{value}" + _feedback(a.get("feedback", ""), fmt))
        return lines
    return []


def write_question(question) -> str:
    """Write one question (a Question or GiftQuestion) as a GIFT block Moodle accepts."""
    kind = QuestionKind(question.kind)
    fmt = TextFormat(question.format).value
    lines = []
    markers = [f"[id:{question.idnumber}]"] if question.idnumber else []
    markers += [f"[tag:{tag}]" for tag in question.tags or []]
    if question.difficulty:
        markers.append(f"[difficulty:{question.difficulty}]")
    if markers:
        lines.append("// " + " ".join(markers))
    head = (f"::{_escape(question.title)}::" if question.title else "") + _text(question.text, fmt, "moodle")
    general = "####" + _text(question.general_feedback, fmt, fmt) if question.general_feedback else ""
    if kind is QuestionKind.DESCRIPTION:
        lines.append(head)
    elif kind is QuestionKind.ESSAY:
        lines.append(head + "{" + general + "}")
    elif kind is QuestionKind.TRUEFALSE:
        true, false = question.answers
        correct = true["fraction"] >= 1
        right, wrong = (true, false) if correct else (false, true)
        body = "TRUE" if correct else "FALSE"
        if wrong["feedback"] or right["feedback"]:
            body += "#" + _text(wrong["feedback"], fmt, fmt)
        if right["feedback"]:
            body += "#" + _text(right["feedback"], fmt, fmt)
        lines.append(head + "{" + body + general + "}")
    else:
        opening = "{#" if kind is QuestionKind.NUMERICAL else "{"
        lines.append(head + opening)
        lines.extend("\t" + answer for answer in _write_answers(kind, question.answers, fmt))
        if general:
            lines.append("\t" + general)
        lines.append("}")
    return "\n".join(lines)


def write_gift(questions) -> str:
    """Write questions grouped under ``$CATEGORY:`` lines; reading it back gives the same questions."""
    blocks, category = [], None
    for question in questions:
        path = question.category if isinstance(question.category, str) else question.category.path
        if path != category:
            blocks.append(f"$CATEGORY: $course$/top/{path}" if path else "$CATEGORY: $course$/top")
            category = path
        blocks.append(write_question(question))
    return "\n\n".join(blocks) + "\n"
