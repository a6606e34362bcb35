"""Fill in the blank: several accepted answers, compared after ``normalise_text``; ``*`` is any text."""

import fnmatch
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.quizzes.answers import Answer, SnapshotItem
from app.quizzes.gift_syntax import GiftItemError, answer_of, answer_text_of, split, weight, weight_text
from app.quizzes.kinds.base import FULL_MARKS, Kind, clamp, clean_text, normalise_text, register, text_input
from app.quizzes.kinds.choice import ChoiceForm
from app.quizzes.models import QuestionKind, TextFormat

ANSWER_SEPARATORS = re.compile(r"\s*[|｜]\s*")


class ShortAnswerForm(ChoiceForm):
    """Fill in the blank: each accepted answer with its grade and feedback."""

    hint = _l(
        "Each accepted answer with its grade in percent (empty: 100). Full-width and half-width "
        "characters, spaces and case do not matter when answers are compared; * stands for any text."
    )
    blank_grade = 100.0


@register
class ShortAnswer(Kind[Answer, str]):
    name = QuestionKind.SHORTANSWER
    position = 40
    label = _l("Fill in the blank")
    form = ShortAnswerForm
    page_inputs = text_input()
    gift_order = 90  # Moodle: whatever no other kind claims
    excel_name = "填空题"

    def validate(self, answers: list[Answer]) -> list[str]:
        if not any(answer["fraction"] > 0 and answer["text"].strip() for answer in answers):
            return [_("A fill-in-the-blank question needs at least one accepted answer.")]
        return []

    def clean(self, item: SnapshotItem, raw: object) -> str | None:
        return clean_text(raw)

    @staticmethod
    def matches(accepted: str, response: str) -> bool:
        accepted, response = normalise_text(accepted), normalise_text(response)
        if "*" in accepted:  # Moodle's wildcard
            return fnmatch.fnmatchcase(response, accepted.replace("[", "[[]"))
        return accepted == response

    def grade(self, answers: list[Answer], response: str | None) -> float:
        if not response:
            return 0.0
        scores = [answer["fraction"] for answer in answers if self.matches(answer["text"], response)]
        return clamp(max(scores)) if scores else 0.0

    def correct_answer(self, answers: list[Answer]) -> str:
        return " / ".join(answer["text"] for answer in answers if answer["fraction"] >= FULL_MARKS)

    def feedback(self, answers: list[Answer], response: str | None) -> str:
        matching = [answer for answer in answers if response and self.matches(answer["text"], response)]
        return max(matching, key=lambda answer: answer["fraction"])["feedback"] if matching else ""

    # GIFT: "=" before each accepted answer.

    def gift_claims(self, answer_text: str | None) -> bool:
        return answer_text is not None

    def read_gift(self, answer_text: str, fmt: TextFormat) -> list[Answer]:
        answers = []
        for part in split(answer_text, "="):
            fraction, part = weight(part, 1.0)
            answers.append(answer_of(part, fraction, fmt))
        if not answers:
            raise GiftItemError(_("A fill-in-the-blank question needs at least one accepted answer."))
        return answers

    def gift_answer_lines(self, answers: list[Answer], fmt: str) -> list[str]:
        return [f"=%{weight_text(a['fraction'])}%" + answer_text_of(a, fmt) for a in answers]

    # Excel: the accepted answers in 答案, separated by "|".

    def read_excel(self, options: list[str], answer: str) -> list[Answer]:
        accepted = [text for text in ANSWER_SEPARATORS.split(answer) if text]
        return [{"text": text, "fraction": 1.0, "feedback": ""} for text in accepted]

    def write_excel(self, answers: list[Answer]) -> tuple[list[str], str]:
        return [], " | ".join(a["text"] for a in answers if a["fraction"] >= FULL_MARKS)
