"""Single and multiple choice: options with weights (partial credit adds up, held between 0 and
full marks; docs/gift.md)."""

import re
from typing import ClassVar, cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, Form, FormField, HiddenField, StringField
from wtforms.validators import AnyOf, Length, Optional

from app.quizzes.answers import Answer, SnapshotItem
from app.quizzes.editor import TEXT_LIMIT, RowsForm, clean_typed
from app.quizzes.errors import QuizError
from app.quizzes.gift_syntax import GiftItemError, answer_of, answer_text_of, split, weight, weight_text
from app.quizzes.kinds.base import FULL_MARKS, LETTERS, RADIO_INPUTS, Kind, ResponseError, clamp, register
from app.quizzes.models import Question, QuestionKind, TextFormat

LETTER_SEPARATORS = re.compile(r"[\s,，、;；]+")
Chosen = int | list[int]


class ChoiceRow(Form):
    text = StringField(_l("Answer"), validators=[Length(max=TEXT_LIMIT)])
    fraction = StringField(_l("Grade (percent)"), validators=[Length(max=20)])
    feedback = StringField(_l("Feedback"), validators=[Length(max=TEXT_LIMIT)])
    # An answer written in another format than the question's keeps it (GIFT's "[html]" on an answer).
    format = HiddenField(validators=[Optional(), AnyOf([fmt.value for fmt in TextFormat])])


class ChoiceForm(RowsForm):
    """Single and multiple choice: each option with its grade and feedback."""

    hint = _l(
        "Grades are percentages: 100 for the right option of a single-choice question, empty or 0 for "
        "a wrong one. In a multiple-choice question the right options' grades add up to 100 and wrong "
        "ones may take marks away (such as -50)."
    )
    blank_grade: ClassVar[float] = 0.0
    rows = FieldList(FormField(ChoiceRow))

    @classmethod
    def initial(cls, question: Question) -> dict[str, object]:
        rows = [
            {
                "text": answer["text"],
                "fraction": weight_text(answer["fraction"]),
                "feedback": answer.get("feedback", ""),
                "format": answer.get("format", ""),
            }
            for answer in cast(list[Answer], question.answers)
        ]
        return super().initial(question) | {"rows": rows}

    def read_answers(self) -> list[Answer]:
        answers: list[Answer] = []
        for number, row in enumerate(self.rows, start=1):
            text, grade, feedback = (
                clean_typed(field.data) for field in (row.text, row.fraction, row.feedback)
            )
            if not text:
                if grade or feedback:
                    self.problem(number, _("write the answer, or clear the row"))
                continue
            fraction = self.grade(number, grade, self.blank_grade)
            if fraction is None:
                continue
            answer: Answer = {"text": text, "fraction": fraction, "feedback": feedback}
            if row.format.data and row.format.data != self.format.data:
                answer["format"] = row.format.data
            answers.append(answer)
        return answers


class ChoiceKind(Kind[Answer, Chosen]):
    has_options = True
    multiple: ClassVar[bool] = False
    form = ChoiceForm
    excel_options = True

    def validate(self, answers: list[Answer]) -> list[str]:
        problems = []
        if len(answers) < 2:
            problems.append(_("A choice question needs at least two options."))
        if not any(answer["fraction"] > 0 for answer in answers):
            problems.append(_("No option is marked correct."))
        if not self.multiple and not any(answer["fraction"] >= FULL_MARKS for answer in answers):
            problems.append(_("A single-choice question needs one option worth full marks."))
        return problems

    def public(self, item: SnapshotItem) -> dict[str, object]:
        answers = self.answers_of(item)
        return {"options": [{"id": index, "text": answers[index]["text"]} for index in item["order"]]}

    def _option(self, item: SnapshotItem, raw: object) -> int:
        if not isinstance(raw, str | int | float):  # a page sends the option's index as text
            raise ResponseError("not an option")
        try:
            index = int(raw)
        except ValueError:
            raise ResponseError("not an option") from None
        if not 0 <= index < len(item["answers"]):
            raise ResponseError("not an option")
        return index

    def clean(self, item: SnapshotItem, raw: object) -> Chosen | None:
        if raw in (None, ""):
            return None
        if self.multiple:
            values = raw if isinstance(raw, list) else [raw]
            return sorted({self._option(item, value) for value in values}) or None
        return self._option(item, raw)

    @staticmethod
    def _chosen(response: Chosen | None) -> list[int]:
        return [] if response is None else response if isinstance(response, list) else [response]

    def grade(self, answers: list[Answer], response: Chosen | None) -> float:
        if response is None:
            return 0.0
        # Partial credit: the chosen options' weights add up (wrong ones may weigh less than 0),
        # and the total is held between 0 and full marks (docs/gift.md).
        return clamp(sum(answers[index]["fraction"] for index in self._chosen(response)))

    def correct_answer(self, answers: list[Answer]) -> str:
        return "; ".join(answer["text"] for answer in answers if answer["fraction"] > 0)

    def describe(self, item: SnapshotItem, response: Chosen | None) -> str:
        answers = self.answers_of(item)
        return "; ".join(answers[index]["text"] for index in self._chosen(response))

    def feedback(self, answers: list[Answer], response: Chosen | None) -> str:
        return " ".join(answers[index].get("feedback", "") for index in self._chosen(response)).strip()

    # GIFT: "~" between options, "=" before the right one, "%50%" for a weight.

    def read_gift(self, answer_text: str, fmt: TextFormat) -> list[Answer]:
        answers = []
        for part in split(answer_text.replace("=", "~="), "~"):
            if part.startswith("="):
                fraction, part = weight(part[1:], 1.0)
            else:
                fraction, part = weight(part, 0.0)
            answers.append(answer_of(part, fraction, fmt))
        if len(answers) < 2:
            raise GiftItemError(_("A choice question needs at least two options."))
        return answers

    # Excel: the options in 选项A…, the right letters in 答案.

    def read_excel(self, options: list[str], answer: str) -> list[Answer]:
        if len(options) < 2:
            raise QuizError(_("A choice question needs at least two options."))
        letters = list(LETTER_SEPARATORS.sub("", answer.upper()))
        if not letters or any(letter not in LETTERS[: len(options)] for letter in letters):
            raise QuizError(_("The answer “%(answer)s” does not name the options given.", answer=answer))
        if len(set(letters)) != len(letters):
            raise QuizError(_("The answer names an option twice."))
        return self.excel_answers(options, letters)

    def excel_answers(self, options: list[str], letters: list[str]) -> list[Answer]:
        raise NotImplementedError

    def write_excel(self, answers: list[Answer]) -> tuple[list[str], str]:
        threshold = 0 if self.multiple else FULL_MARKS
        shown = answers[: len(LETTERS)]
        letters = "".join(LETTERS[i] for i, answer in enumerate(shown) if answer["fraction"] > threshold)
        return [answer["text"] for answer in shown], letters


@register
class SingleChoice(ChoiceKind):
    name = QuestionKind.SINGLE
    position = 10
    label = _l("Single choice")
    gift_order = 30
    excel_name = "单选题"
    page_inputs = RADIO_INPUTS

    def gift_claims(self, answer_text: str | None) -> bool:
        return answer_text is not None and "~" in answer_text and "=" in answer_text

    def gift_answer_lines(self, answers: list[Answer], fmt: str) -> list[str]:
        return [
            ("=" if a["fraction"] >= 1 else "~" if a["fraction"] == 0 else f"~%{weight_text(a['fraction'])}%")
            + answer_text_of(a, fmt)
            for a in answers
        ]

    def excel_answers(self, options: list[str], letters: list[str]) -> list[Answer]:
        if len(letters) != 1:
            raise QuizError(_("A single-choice question has exactly one answer letter."))
        return [
            {"text": text, "fraction": float(LETTERS[i] in letters), "feedback": ""}
            for i, text in enumerate(options)
        ]


@register
class MultipleChoice(ChoiceKind):
    name = QuestionKind.MULTIPLE
    position = 20
    label = _l("Multiple choice")
    multiple = True
    gift_order = 31
    excel_name = "多选题"
    page_inputs = """\
      <input type="hidden" name="q-{{ q.id }}" value="">
      {% for option in q.options %}
      <label class="option"><input type="checkbox" name="q-{{ q.id }}" value="{{ option.id }}" {% if q.saved and option.id in q.saved %}checked{% endif %}> {{ option.text | question_html(q.format) }}</label>
      {% endfor %}
"""

    def field_value(self, fields: MultiDict[str, str], key: str) -> object:
        return [value for value in fields.getlist(key) if value != ""]

    def gift_claims(self, answer_text: str | None) -> bool:
        # Moodle: no "=" means no single right answer, so several may be chosen.
        return answer_text is not None and "~" in answer_text

    def gift_answer_lines(self, answers: list[Answer], fmt: str) -> list[str]:
        return [
            ("~" if a["fraction"] == 0 else f"~%{weight_text(a['fraction'])}%") + answer_text_of(a, fmt)
            for a in answers
        ]

    def excel_answers(self, options: list[str], letters: list[str]) -> list[Answer]:
        # Each correct option 1/k of the marks (k correct options), each wrong one -1/k.
        share = round(1 / len(letters), 7)
        return [
            {"text": text, "fraction": share if LETTERS[i] in letters else -share, "feedback": ""}
            for i, text in enumerate(options)
        ]
