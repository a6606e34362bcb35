"""The structured question editor's common part: the fields every kind has, and answer rows.

Each question kind (``kinds/``) brings its own form, a subclass of ``QuestionForm`` or ``RowsForm``
that adds its answer fields and reads them into the same answers a GIFT block gives (texts stripped,
weights as GIFT stores them). The views save the form's ``QuestionData`` through the services the
GIFT editor uses, so a question saved here is stored, and exported, exactly as if it had been typed
in GIFT. Answers are rows numbered for the trainer; every problem with a row names it. Rules about
the whole question (a single-choice question needs an option worth 100 %) stay with the kind's
``validate``, checked by the service for both editors.

The template (``_question_form.html``) shows the answers by ``layout``: "rows" (a table of the
``rows`` field list, its headers the row fields' labels), "fields" (only ``answer_fields``), or ""
(no answers); ``answer_fields`` follow the rows.
"""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2
from wtforms.validators import Length

from app.quizzes.answers import StoredAnswer
from app.quizzes.data import QuestionData
from app.quizzes.gift_syntax import NUMBER, fraction_of
from app.quizzes.models import Question, TextFormat

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


def clean_typed(value: str | None) -> str:
    """A typed text as GIFT would keep it: line breaks as "\\n", no surrounding space."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def typed_number(value: str) -> float | None:
    return float(value) if NUMBER.fullmatch(value) else None


class QuestionForm(FlaskForm):
    """The fields every kind has: essays and descriptions need no more."""

    layout: ClassVar[str] = ""  # how the template shows the answers: "rows", "fields" or none
    answer_fields: ClassVar[tuple[str, ...]] = ()  # the answers' fields outside the rows
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_errors: list[str] = []
        self.answers: list[StoredAnswer] = []

    @classmethod
    def initial(cls, question: Question) -> dict[str, object]:
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

    def read_answers(self) -> Sequence[StoredAnswer]:
        """The answers typed in the form, of the kind's own shape (``self.problem`` for each bad row)."""
        return []

    def problem(self, row: int, message: str) -> None:
        self.row_errors.append(_("Row %(row)d: %(problem)s", row=row, problem=message))

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.row_errors = []
        self.answers = list(self.read_answers())
        return not self.row_errors

    def question_data(self, kind: str) -> QuestionData:
        """The validated form as the question data both editors save."""
        tags = (tag.strip() for tag in clean_typed(self.tags.data).replace("，", ",").split(","))
        return QuestionData(
            kind=kind,
            text=clean_typed(self.text.data),
            answers=self.answers,
            category=clean_typed(self.category.data),
            title=" ".join(clean_typed(self.title.data).split()),
            format=TextFormat(self.format.data),
            general_feedback=clean_typed(self.general_feedback.data),
            tags=list(dict.fromkeys(tag for tag in tags if tag)),
            idnumber=clean_typed(self.idnumber.data) or None,
            difficulty=int(self.difficulty.data) if self.difficulty.data else None,
        )


class RowsForm(QuestionForm):
    """A kind whose answers are rows (``rows``, a FieldList defined by each subclass)."""

    layout = "rows"
    more_rows = SubmitField(_l("More rows"))

    def wants_more_rows(self) -> bool:
        return self.is_submitted() and bool(self.more_rows.data)

    def row_labels(self) -> list[str]:
        """The headers of the rows' table: the labels of a row's visible fields."""
        row = self.rows.unbound_field.args[0]()
        return [str(cell.label.text) for cell in row if cell.type != "HiddenField"]

    def add_rows(self, count: int = BLANK_ROWS) -> None:
        for _row in range(count):
            self.rows.append_entry()

    def pad_rows(self) -> None:
        self.add_rows(max(BLANK_ROWS, MIN_ROWS - len(self.rows)))

    def grade(self, row: int, value: str, blank: float) -> float | None:
        """A typed percentage as the share of the marks GIFT stores; empty is ``blank`` percent."""
        value = value.removesuffix("%").strip()
        weight = typed_number(value) if value else blank
        if weight is None or not -100 <= weight <= 100:
            self.problem(row, _("the grade “%(grade)s” is not a percentage from -100 to 100", grade=value))
            return None
        return fraction_of(weight)
