"""The question kinds: one small class each, found through ``KINDS`` (the CTFd registry pattern).

Every kind stores its answers as a JSON list on ``Question.answers``:

- single, multiple, shortanswer: ``[{"text", "fraction", "feedback"}]`` (an answer may add ``"format"``
  when it differs from the question's);
- truefalse: ``[{"text": "true", ...}, {"text": "false", ...}]``, the correct one with fraction 1,
  each with the feedback shown to whoever picks it;
- numerical: ``[{"text", "fraction", "feedback", "tolerance"}]`` or ``{…, "min", "max"}`` for a range;
  ``"text": "*"`` matches any number (Moodle's feedback for every other answer);
- matching: ``[{"question", "answer"}]``; an empty question adds a distractor answer;
- essay, description: ``[]``.

A kind validates answers, hides them from the page (``public``), cleans a member's response and
grades it as a fraction of the question's mark (``None``: a trainer grades it).
"""

import fnmatch
import random
import re
import unicodedata
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.quizzes.models import QuestionKind

FULL_MARKS = 0.9999  # weights such as 3 × 33.33333% count as full marks
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class ResponseError(ValueError):
    """A response that does not fit the question (tampered with or malformed)."""


def normalise_text(value: str) -> str:
    """Fold full-width/half-width forms (NFKC), case and spacing so equal answers compare equal."""
    value = unicodedata.normalize("NFKC", value).casefold()
    value = " ".join(value.split())
    # Spaces next to CJK (non-ASCII) characters carry no meaning: "中国 共产党" is "中国共产党".
    return re.sub(r" ?([^\x00-\x7f]) ?", r"\1", value)


def parse_number(value: str) -> float | None:
    """Read a number typed by a member, full-width digits included; None when it is not one."""
    value = unicodedata.normalize("NFKC", value).strip().replace(",", "")
    if not NUMBER.fullmatch(value):
        return None
    return float(value)


def clamp(fraction: float) -> float:
    return round(max(0.0, min(1.0, fraction)), 7)


class Kind:
    kind: ClassVar[QuestionKind]
    label: ClassVar[Any]
    graded: ClassVar[bool] = True  # False: a trainer grades it (essay) or there is nothing to grade
    has_options: ClassVar[bool] = False  # options the page may shuffle

    def validate(self, answers: list[dict]) -> list[str]:
        """Return what is wrong with the answers (empty when they are fine)."""
        return []

    def option_order(self, answers: list[dict], shuffle: bool, rng: random.Random) -> list[int]:
        order = list(range(len(answers))) if self.has_options else []
        if shuffle:
            rng.shuffle(order)
        return order

    def public(self, item: dict) -> dict:
        """What the page may see before the attempt is finished: never a correct answer."""
        return {}

    def clean(self, item: dict, raw: Any) -> Any:
        """Turn a submitted value into the stored response; raise ResponseError when it cannot fit."""
        return None

    def grade(self, answers: list[dict], response: Any) -> float | None:
        return None

    def correct_answer(self, answers: list[dict]) -> str:
        """Describe the right answer for the review page."""
        return ""

    def describe(self, item: dict, response: Any) -> str:
        """Describe a member's response for the review page."""
        return "" if response is None else str(response)

    def feedback(self, answers: list[dict], response: Any) -> str:
        """The feedback written for the answer the member gave, if any."""
        return ""


class ChoiceKind(Kind):
    has_options = True
    multiple: ClassVar[bool] = False

    def validate(self, answers):
        problems = []
        if len(answers) < 2:
            problems.append(_("A choice question needs at least two options."))
        if not any(answer["fraction"] > 0 for answer in answers):
            problems.append(_("No option is marked correct."))
        if not self.multiple and not any(answer["fraction"] >= FULL_MARKS for answer in answers):
            problems.append(_("A single-choice question needs one option worth full marks."))
        return problems

    def public(self, item):
        return {"options": [{"id": index, "text": item["answers"][index]["text"]} for index in item["order"]]}

    def _option(self, item, raw) -> int:
        try:
            index = int(raw)
        except (TypeError, ValueError):
            raise ResponseError("not an option") from None
        if not 0 <= index < len(item["answers"]):
            raise ResponseError("not an option")
        return index

    def clean(self, item, raw):
        if raw in (None, ""):
            return None
        if self.multiple:
            values = raw if isinstance(raw, list) else [raw]
            return sorted({self._option(item, value) for value in values}) or None
        return self._option(item, raw)

    def grade(self, answers, response):
        if response is None:
            return 0.0
        chosen = response if isinstance(response, list) else [response]
        # Partial credit: the chosen options' weights add up (wrong ones may weigh less than 0),
        # and the total is held between 0 and full marks (docs/gift.md).
        return clamp(sum(answers[index]["fraction"] for index in chosen))

    def correct_answer(self, answers):
        return "; ".join(answer["text"] for answer in answers if answer["fraction"] > 0)

    def describe(self, item, response):
        chosen = [] if response is None else response if isinstance(response, list) else [response]
        return "; ".join(item["answers"][index]["text"] for index in chosen)

    def feedback(self, answers, response):
        chosen = [] if response is None else response if isinstance(response, list) else [response]
        return " ".join(answers[index].get("feedback", "") for index in chosen).strip()


class SingleChoice(ChoiceKind):
    kind = QuestionKind.SINGLE
    label = _l("Single choice")


class MultipleChoice(ChoiceKind):
    kind = QuestionKind.MULTIPLE
    label = _l("Multiple choice")
    multiple = True


class TrueFalse(Kind):
    kind = QuestionKind.TRUEFALSE
    label = _l("True/false")

    def validate(self, answers):
        texts = [answer.get("text") for answer in answers]
        if texts != ["true", "false"] or sum(answer["fraction"] >= FULL_MARKS for answer in answers) != 1:
            return [_("A true/false question needs exactly one correct value.")]
        return []

    def public(self, item):
        return {"options": [{"id": "true", "text": _("True")}, {"id": "false", "text": _("False")}]}

    def clean(self, item, raw):
        if raw in (None, ""):
            return None
        if raw not in ("true", "false", True, False):
            raise ResponseError("not true or false")
        return raw in ("true", True)

    def grade(self, answers, response):
        if response is None:
            return 0.0
        return clamp(answers[0 if response else 1]["fraction"])

    def correct_answer(self, answers):
        return _("True") if answers[0]["fraction"] >= FULL_MARKS else _("False")

    def describe(self, item, response):
        return "" if response is None else _("True") if response else _("False")

    def feedback(self, answers, response):
        return "" if response is None else answers[0 if response else 1].get("feedback", "")


MAX_TEXT_RESPONSE = 20_000


def _clean_text(raw) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ResponseError("not text")
    raw = raw.strip()
    if len(raw) > MAX_TEXT_RESPONSE:
        raise ResponseError("too long")
    return raw or None


class ShortAnswer(Kind):
    """Fill in the blank: several accepted answers, compared after ``normalise_text``."""

    kind = QuestionKind.SHORTANSWER
    label = _l("Fill in the blank")

    def validate(self, answers):
        if not any(answer["fraction"] > 0 and answer["text"].strip() for answer in answers):
            return [_("A fill-in-the-blank question needs at least one accepted answer.")]
        return []

    def clean(self, item, raw):
        return _clean_text(raw)

    @staticmethod
    def matches(accepted: str, response: str) -> bool:
        accepted, response = normalise_text(accepted), normalise_text(response)
        if "*" in accepted:  # Moodle's wildcard
            return fnmatch.fnmatchcase(response, accepted.replace("[", "[[]"))
        return accepted == response

    def grade(self, answers, response):
        if not response:
            return 0.0
        scores = [answer["fraction"] for answer in answers if self.matches(answer["text"], response)]
        return clamp(max(scores)) if scores else 0.0

    def correct_answer(self, answers):
        return " / ".join(answer["text"] for answer in answers if answer["fraction"] >= FULL_MARKS)

    def feedback(self, answers, response):
        matching = [answer for answer in answers if response and self.matches(answer["text"], response)]
        return max(matching, key=lambda answer: answer["fraction"])["feedback"] if matching else ""


class Numerical(Kind):
    kind = QuestionKind.NUMERICAL
    label = _l("Numerical")

    def validate(self, answers):
        if not any(answer["fraction"] > 0 and answer["text"] != "*" for answer in answers):
            return [_("A numerical question needs at least one correct number.")]
        return []

    def clean(self, item, raw):
        text = _clean_text(raw if raw is None or isinstance(raw, str) else str(raw))
        if text is None:
            return None
        if parse_number(text) is None:
            raise ResponseError("not a number")
        return text

    @staticmethod
    def matches(answer: dict, value: float) -> bool:
        if answer["text"] == "*":
            return True
        if "min" in answer:
            return answer["min"] <= value <= answer["max"]
        target = float(answer["text"])
        # A hair of slack so that 3.1415 ± 0.0005 accepts 3.141 despite binary floating point.
        return abs(value - target) <= answer.get("tolerance", 0) + 1e-9 * max(1.0, abs(target))

    def grade(self, answers, response):
        value = parse_number(response) if response else None
        if value is None:
            return 0.0
        scores = [answer["fraction"] for answer in answers if self.matches(answer, value)]
        return clamp(max(scores)) if scores else 0.0

    def correct_answer(self, answers):
        described = []
        for answer in answers:
            if answer["fraction"] < FULL_MARKS or answer["text"] == "*":
                continue
            if "min" in answer:
                described.append(f"{answer['min']:g} … {answer['max']:g}")
            elif answer.get("tolerance"):
                described.append(f"{answer['text']} ± {answer['tolerance']:g}")
            else:
                described.append(answer["text"])
        return " / ".join(described)

    def feedback(self, answers, response):
        value = parse_number(response) if response else None
        matching = [answer for answer in answers if value is not None and self.matches(answer, value)]
        return max(matching, key=lambda answer: answer["fraction"]).get("feedback", "") if matching else ""


class Matching(Kind):
    kind = QuestionKind.MATCHING
    label = _l("Matching")
    has_options = True  # the order of the answers offered in each drop-down

    def validate(self, answers):
        if sum(1 for pair in answers if pair["question"].strip()) < 2 or len(self.choices(answers)) < 2:
            return [_("A matching question needs at least two pairs.")]
        return []

    @staticmethod
    def choices(answers: list[dict]) -> list[str]:
        return sorted({pair["answer"] for pair in answers})

    def option_order(self, answers, shuffle, rng):
        order = list(range(len(self.choices(answers))))
        if shuffle:
            rng.shuffle(order)
        return order

    def public(self, item):
        choices = self.choices(item["answers"])
        return {
            "pairs": [
                {"id": index, "text": pair["question"]}
                for index, pair in enumerate(item["answers"])
                if pair["question"].strip()
            ],
            "choices": [choices[index] for index in item["order"]],
        }

    def clean(self, item, raw):
        if raw in (None, ""):
            return None
        if not isinstance(raw, dict):
            raise ResponseError("not a set of pairs")
        choices = set(self.choices(item["answers"]))
        cleaned = {}
        for key, value in raw.items():
            if not str(key).isdigit() or not 0 <= int(key) < len(item["answers"]):
                raise ResponseError("not a pair of this question")
            if value in (None, ""):
                continue
            if value not in choices:
                raise ResponseError("not an offered answer")
            cleaned[str(int(key))] = value
        return cleaned or None

    def grade(self, answers, response):
        pairs = [(index, pair) for index, pair in enumerate(answers) if pair["question"].strip()]
        if not response or not pairs:
            return 0.0
        right = sum(1 for index, pair in pairs if response.get(str(index)) == pair["answer"])
        return clamp(right / len(pairs))

    def correct_answer(self, answers):
        return "; ".join(
            f"{pair['question']} → {pair['answer']}" for pair in answers if pair["question"].strip()
        )

    def describe(self, item, response):
        pairs = item["answers"]
        return "; ".join(
            f"{pairs[int(key)]['question']} → {value}" for key, value in (response or {}).items()
        )


class Essay(Kind):
    kind = QuestionKind.ESSAY
    label = _l("Essay")
    graded = False

    def clean(self, item, raw):
        return _clean_text(raw)


class Description(Kind):
    kind = QuestionKind.DESCRIPTION
    label = _l("Description (no answer)")
    graded = False


KINDS: dict[QuestionKind, Kind] = {
    kind_class.kind: kind_class()
    for kind_class in (
        SingleChoice,
        MultipleChoice,
        TrueFalse,
        ShortAnswer,
        Numerical,
        Matching,
        Essay,
        Description,
    )
}


def get_kind(kind: QuestionKind | str) -> Kind:
    return KINDS[QuestionKind(kind)]
