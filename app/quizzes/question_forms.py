"""The structured question editor: one form per question kind, found through ``QUESTION_FORMS``.

A form reads its fields into the same ``QuestionData`` a GIFT block gives (texts stripped, weights
as GIFT stores them), and the views save it through the services the GIFT editor uses, so a
question saved here is stored, and exported, exactly as if it had been typed in GIFT. Answers are
rows numbered for the trainer; every problem with a row names it. Rules about the whole question
(a single-choice question needs an option worth 100 %) stay with the kind (``kinds.py``), checked
by the service for both editors.
"""

from typing import ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from app.quizzes import gift
from app.quizzes.data import QuestionData
from app.quizzes.kinds import FULL_MARKS, NUMBER
from app.quizzes.models import Question, QuestionKind, TextFormat

BLANK_ROWS = 2  # blank rows offered after the answers, and added by "More rows"
MIN_ROWS = 4
TEXT_LIMIT = 5000

FORMAT_LABELS = {
    TextFormat.MOODLE: _l("Moodle auto-format"),
    TextFormat.HTML: _l("HTML"),
    TextFormat.MARKDOWN: _l("Markdown"),
    TextFormat.PLAIN: _l("Plain text"),
}
DIFFICULTIES = [
    SelectChoice("", "—"),
    SelectChoice("1", _l("1 (easy)")),
    *(SelectChoice(str(level), str(level)) for level in (2, 3, 4)),
    SelectChoice("5", _l("5 (hard)")),
]


def _clean(value: str | None) -> str:
    """A typed text as GIFT would keep it: line breaks as "\\n", no surrounding space."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _number(value: str) -> float | None:
    return float(value) if NUMBER.fullmatch(value) else None


class QuestionForm(FlaskForm):
    """The fields every kind has: essays and descriptions need no more."""

    layout: ClassVar[str] = ""  # which answer fields the template shows
    hint: ClassVar[str] = ""

    title = StringField(
        _l("Title"), validators=[Length(max=255)], description=_l("Empty: named after the text.")
    )
    category = StringField(
        _l("Category"),
        validators=[Length(max=1000)],
        description=_l("A path such as 党史/新中国; empty for the bank's top level."),
    )
    text = TextAreaField(_l("Question text"), validators=[Length(max=100_000)])
    format = SelectField(
        _l("Text format"),
        choices=[SelectChoice(fmt.value, label) for fmt, label in FORMAT_LABELS.items()],
        default="moodle",
    )
    general_feedback = TextAreaField(
        _l("General feedback (shown after answering, whatever the answer)"), validators=[Length(max=20_000)]
    )
    tags = StringField(_l("Tags (separated by commas)"), validators=[Length(max=1000)])
    idnumber = StringField(_l("ID number"), validators=[Length(max=100)])
    difficulty = SelectField(_l("Difficulty"), choices=DIFFICULTIES, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_errors: list[str] = []
        self.answers: list[dict] = []

    @classmethod
    def initial(cls, question: Question) -> dict:
        """The form's values for an existing question."""
        return {
            "title": question.title,
            "category": question.category.path,
            "text": question.text,
            "format": question.format.value,
            "general_feedback": question.general_feedback,
            "tags": ", ".join(question.tags),
            "idnumber": question.idnumber or "",
            "difficulty": str(question.difficulty or ""),
        }

    def wants_more_rows(self) -> bool:
        return False

    def add_rows(self, count: int = BLANK_ROWS) -> None:
        """Offer ``count`` more blank answer rows (kinds without rows have none to add)."""

    def pad_rows(self) -> None:
        """Offer blank rows after the answers, at least ``MIN_ROWS`` in all."""

    def read_answers(self) -> list[dict]:
        return []

    def problem(self, row: int, message: str) -> None:
        self.row_errors.append(_("Row %(row)d: %(problem)s", row=row, problem=message))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.row_errors = []
        self.answers = self.read_answers()
        return not self.row_errors

    def question_data(self, kind: QuestionKind) -> QuestionData:
        """The validated form as the question data both editors save."""
        tags = (tag.strip() for tag in _clean(self.tags.data).replace("，", ",").split(","))
        return QuestionData(
            kind=kind,
            text=_clean(self.text.data),
            answers=self.answers,
            category=_clean(self.category.data),
            title=" ".join(_clean(self.title.data).split()),
            format=TextFormat(self.format.data),
            general_feedback=_clean(self.general_feedback.data),
            tags=list(dict.fromkeys(tag for tag in tags if tag)),
            idnumber=_clean(self.idnumber.data) or None,
            difficulty=int(self.difficulty.data) if self.difficulty.data else None,
        )


class RowsForm(QuestionForm):
    """A kind whose answers are rows (``rows``, a FieldList defined by each subclass)."""

    more_rows = SubmitField(_l("More rows"))

    def wants_more_rows(self) -> bool:
        return self.is_submitted() and bool(self.more_rows.data)

    def add_rows(self, count: int = BLANK_ROWS) -> None:
        for _row in range(count):
            self.rows.append_entry()

    def pad_rows(self) -> None:
        self.add_rows(max(BLANK_ROWS, MIN_ROWS - len(self.rows)))

    def grade(self, row: int, value: str, blank: float) -> float | None:
        """A typed percentage as the share of the marks GIFT stores; empty is ``blank`` percent."""
        value = value.removesuffix("%").strip()
        weight = _number(value) if value else blank
        if weight is None or not -100 <= weight <= 100:
            self.problem(row, _("the grade “%(grade)s” is not a percentage from -100 to 100", grade=value))
            return None
        return gift.fraction_of(weight)


class ChoiceRow(Form):
    text = StringField(_l("Answer"), validators=[Length(max=TEXT_LIMIT)])
    fraction = StringField(_l("Grade (percent)"), validators=[Length(max=20)])
    feedback = StringField(_l("Feedback"), validators=[Length(max=TEXT_LIMIT)])
    # An answer written in another format than the question's keeps it (GIFT's "[html]" on an answer).
    format = HiddenField(validators=[Optional(), AnyOf([fmt.value for fmt in TextFormat])])


class ChoiceForm(RowsForm):
    """Single and multiple choice: each option with its grade and feedback."""

    layout = "choice"
    hint = _l(
        "Grades are percentages: 100 for the right option of a single-choice question, empty or 0 for "
        "a wrong one. In a multiple-choice question the right options' grades add up to 100 and wrong "
        "ones may take marks away (such as -50)."
    )
    blank_grade: ClassVar[float] = 0.0
    rows = FieldList(FormField(ChoiceRow))

    @classmethod
    def initial(cls, question):
        rows = [
            {
                "text": answer["text"],
                "fraction": gift.weight_text(answer["fraction"]),
                "feedback": answer.get("feedback", ""),
                "format": answer.get("format", ""),
            }
            for answer in question.answers
        ]
        return super().initial(question) | {"rows": rows}

    def read_answers(self):
        answers = []
        for number, row in enumerate(self.rows, start=1):
            text, grade, feedback = (_clean(field.data) for field in (row.text, row.fraction, row.feedback))
            if not text:
                if grade or feedback:
                    self.problem(number, _("write the answer, or clear the row"))
                continue
            fraction = self.grade(number, grade, self.blank_grade)
            if fraction is None:
                continue
            answer = {"text": text, "fraction": fraction, "feedback": feedback}
            if row.format.data and row.format.data != self.format.data:
                answer["format"] = row.format.data
            answers.append(answer)
        return answers


class ShortAnswerForm(ChoiceForm):
    """Fill in the blank: each accepted answer with its grade and feedback."""

    hint = _l(
        "Each accepted answer with its grade in percent (empty: 100). Full-width and half-width "
        "characters, spaces and case do not matter when answers are compared; * stands for any text."
    )
    blank_grade = 100.0


class NumericalRow(Form):
    text = StringField(_l("The number"), validators=[Length(max=50)])
    tolerance = StringField(_l("± Tolerance"), validators=[Length(max=50)])
    minimum = StringField(_l("Range from"), validators=[Length(max=50)])
    maximum = StringField(_l("Range to"), validators=[Length(max=50)])
    fraction = StringField(_l("Grade (percent)"), validators=[Length(max=20)])
    feedback = StringField(_l("Feedback"), validators=[Length(max=TEXT_LIMIT)])


class NumericalForm(RowsForm):
    """Numerical: a number with a tolerance, or a range, per row; feedback for any other number."""

    layout = "numerical"
    hint = _l(
        "Each row takes a number with its tolerance (3.14 ± 0.01) or a range (from 1 to 5), and a grade "
        "in percent (empty: 100)."
    )
    rows = FieldList(FormField(NumericalRow))
    other_feedback = StringField(_l("Feedback for any other number"), validators=[Length(max=TEXT_LIMIT)])

    @classmethod
    def initial(cls, question):
        rows, other = [], ""
        for answer in question.answers:
            if answer["text"] == "*":
                other = answer.get("feedback", "")
                continue
            ranged = "min" in answer
            tolerance = answer.get("tolerance", 0)
            rows.append(
                {
                    "text": "" if ranged else answer["text"],
                    "tolerance": gift.number_text(tolerance) if tolerance else "",
                    "minimum": gift.number_text(answer["min"]) if ranged else "",
                    "maximum": gift.number_text(answer["max"]) if ranged else "",
                    "fraction": gift.weight_text(answer["fraction"]),
                    "feedback": answer.get("feedback", ""),
                }
            )
        return super().initial(question) | {"rows": rows, "other_feedback": other}

    def read_answers(self):
        answers = []
        for number, row in enumerate(self.rows, start=1):
            value, tolerance, low, high, grade, feedback = (
                _clean(field.data)
                for field in (row.text, row.tolerance, row.minimum, row.maximum, row.fraction, row.feedback)
            )
            if not (value or low or high):
                if tolerance or grade or feedback:
                    self.problem(number, _("write the number or the range, or clear the row"))
                continue
            answer = self._answer(number, value, tolerance, low, high)
            fraction = self.grade(number, grade, 100.0)
            if answer is not None and fraction is not None:
                answers.append({"fraction": fraction, "feedback": feedback, **answer})
        other = _clean(self.other_feedback.data)
        if other:
            answers.append({"text": "*", "fraction": 0.0, "feedback": other})
        return answers

    def _answer(self, number: int, value: str, tolerance: str, low: str, high: str) -> dict | None:
        if value and (low or high):
            self.problem(number, _("give a number with its tolerance, or a range, not both"))
            return None
        if value:
            margin = _number(tolerance) if tolerance else 0.0
            for typed, read in ((value, _number(value)), (tolerance, margin)):
                if read is None:
                    self.problem(number, _("“%(value)s” is not a number.", value=typed))
                    return None
            return {"text": value, "tolerance": abs(margin)}
        bounds = _number(low), _number(high)
        if None in bounds:
            self.problem(number, _("a range needs a number at each end"))
            return None
        if bounds[0] > bounds[1]:
            self.problem(number, _("the range runs backwards"))
            return None
        return {"text": f"{low}..{high}", "min": bounds[0], "max": bounds[1]}


class MatchingRow(Form):
    question = StringField(_l("Item"), validators=[Length(max=TEXT_LIMIT)])
    answer = StringField(_l("Its answer"), validators=[Length(max=TEXT_LIMIT)])


class MatchingForm(RowsForm):
    """Matching: each item with the answer that belongs to it."""

    layout = "matching"
    hint = _l("Each row pairs an item with its answer; a row with only an answer adds a wrong choice.")
    rows = FieldList(FormField(MatchingRow))

    @classmethod
    def initial(cls, question):
        rows = [{"question": pair["question"], "answer": pair["answer"]} for pair in question.answers]
        return super().initial(question) | {"rows": rows}

    def read_answers(self):
        pairs = []
        for number, row in enumerate(self.rows, start=1):
            item, answer = _clean(row.question.data), _clean(row.answer.data)
            if not answer:
                if item:
                    self.problem(number, _("the item needs its answer"))
                continue
            pairs.append({"question": item, "answer": answer})
        return pairs


class TrueFalseForm(QuestionForm):
    """True/false: the right value, and the feedback for each answer."""

    layout = "truefalse"
    correct = RadioField(
        _l("The statement is"),
        choices=[SelectChoice("true", _l("True")), SelectChoice("false", _l("False"))],
        validators=[InputRequired(message=_l("Choose whether the statement is true or false."))],
    )
    true_feedback = StringField(
        _l("Feedback for whoever answers “true”"), validators=[Length(max=TEXT_LIMIT)]
    )
    false_feedback = StringField(
        _l("Feedback for whoever answers “false”"), validators=[Length(max=TEXT_LIMIT)]
    )

    @classmethod
    def initial(cls, question):
        true, false = question.answers
        return super().initial(question) | {
            "correct": "true" if true["fraction"] >= FULL_MARKS else "false",
            "true_feedback": true.get("feedback", ""),
            "false_feedback": false.get("feedback", ""),
        }

    def read_answers(self):
        right = 1.0 if self.correct.data == "true" else 0.0
        return [
            {"text": "true", "fraction": right, "feedback": _clean(self.true_feedback.data)},
            {"text": "false", "fraction": 1.0 - right, "feedback": _clean(self.false_feedback.data)},
        ]


QUESTION_FORMS: dict[QuestionKind, type[QuestionForm]] = {
    QuestionKind.SINGLE: ChoiceForm,
    QuestionKind.MULTIPLE: ChoiceForm,
    QuestionKind.TRUEFALSE: TrueFalseForm,
    QuestionKind.SHORTANSWER: ShortAnswerForm,
    QuestionKind.NUMERICAL: NumericalForm,
    QuestionKind.MATCHING: MatchingForm,
    QuestionKind.ESSAY: QuestionForm,
    QuestionKind.DESCRIPTION: QuestionForm,
}


def question_form(kind: QuestionKind, question: Question | None = None) -> QuestionForm:
    """The editor for ``kind``: filled from ``question``, else from the posted fields (blank on GET)."""
    form_class = QUESTION_FORMS[kind]
    if question is not None:
        form = form_class(formdata=None, data=form_class.initial(question))
    else:
        form = form_class()
    if question is not None or not form.is_submitted():
        form.pad_rows()
    return form
