"""Forms of the quiz pages, and the one parser for a quiz page's answers (form post or autosave)."""

import re
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.inputs import MAX_COLUMN_INTEGER
from app.quizzes.answers import SnapshotItem
from app.quizzes.errors import TamperedResponseError
from app.quizzes.kinds import KINDS
from app.quizzes.models import Quiz, QuizMode, RevealPolicy
from app.quizzes.services.quizzes import QuizSettings
from app.web import filled

MODE_LABELS = {QuizMode.FIXED: _l("Fixed questions"), QuizMode.RANDOM: _l("Random draw per category")}
REVEAL_LABELS = {
    RevealPolicy.AFTER_SUBMIT: _l("Answers and feedback right after submitting"),
    RevealPolicy.AFTER_CLOSE: _l("Score after submitting, answers once the quiz has closed"),
    RevealPolicy.SCORE_ONLY: _l("Score only, never the answers"),
    RevealPolicy.NEVER: _l("Nothing (the trainer informs)"),
}


class BankNameForm(FlaskForm):
    name = StringField(_l("Bank name"), validators=[DataRequired(), Length(max=100)])


class BankForm(BankNameForm):
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])


class ImportForm(FlaskForm):
    file = FileField(_l("GIFT (.gift, .txt) or Excel (.xlsx) file"), validators=[FileRequired()])
    strict = BooleanField(_l("Import nothing if any question is bad"))


# Browsers send and expect "2030-07-01T18:00" in a datetime-local input.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class QuizForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Instructions"), validators=[Optional(), Length(max=5000)])
    mode = SelectField(
        _l("Questions"), choices=[SelectChoice(m.value, label) for m, label in MODE_LABELS.items()]
    )
    shuffle_questions = BooleanField(_l("Shuffle the questions"))
    shuffle_options = BooleanField(_l("Shuffle the options"), default=True)
    time_limit_minutes = IntegerField(
        _l("Time limit (minutes, empty for none)"), validators=[Optional(), NumberRange(1, 24 * 60)]
    )
    opens_at = DateTimeLocalField(_l("Opens at"), format=LOCAL_FORMATS, validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at"), format=LOCAL_FORMATS, validators=[Optional()])
    attempts_allowed = IntegerField(
        _l("Attempts allowed (0: unlimited)"), default=1, validators=[NumberRange(0, 100)]
    )
    pass_mark = DecimalField(
        _l("Pass mark (%)"), default=Decimal(60), places=1, validators=[NumberRange(0, 100)]
    )
    reveal = SelectField(
        _l("Show answers"), choices=[SelectChoice(r.value, label) for r, label in REVEAL_LABELS.items()]
    )
    published = BooleanField(_l("Open to members"))

    @classmethod
    def for_quiz(cls, quiz: Quiz) -> "QuizForm":
        """The form filled from a quiz, its times shown in the display time zone."""
        form = cls(obj=quiz)
        form.mode.data, form.reveal.data = quiz.mode.value, quiz.reveal.value
        for field in (form.opens_at, form.closes_at):
            if field.data:
                field.data = to_user_timezone(field.data).replace(tzinfo=None)
        return form

    def settings(self) -> QuizSettings:
        """The validated form's settings; times typed in the display zone become UTC."""
        return QuizSettings(
            title=filled(self.title.data),
            description=self.description.data or "",
            mode=QuizMode(self.mode.data),
            shuffle_questions=self.shuffle_questions.data,
            shuffle_options=self.shuffle_options.data,
            time_limit_minutes=self.time_limit_minutes.data,
            opens_at=to_utc(self.opens_at.data).replace(tzinfo=None) if self.opens_at.data else None,
            closes_at=to_utc(self.closes_at.data).replace(tzinfo=None) if self.closes_at.data else None,
            attempts_allowed=filled(self.attempts_allowed.data),
            pass_mark=float(filled(self.pass_mark.data)),
            reveal=RevealPolicy(self.reveal.data),
            published=self.published.data,
        )


class QuestionGiftForm(FlaskForm):
    source = TextAreaField(_l("The question in GIFT"), validators=[DataRequired(), Length(max=100_000)])


class QuestionPickForm(FlaskForm):
    question_ids = SelectMultipleField(_l("Questions (asked in bank order)"), coerce=int)


class DrawRuleForm(FlaskForm):
    category_id = SelectField(_l("Category (with its sub-categories)"), coerce=int)
    count = IntegerField(_l("Questions to draw"), default=5, validators=[NumberRange(1, 500)])


class EssayGradeForm(FlaskForm):
    fraction = DecimalField(_l("Share of the marks (0 to 1)"), places=2, validators=[NumberRange(0, 1)])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=1000)])


ANSWER_FIELD = re.compile(r"q-(\d+)(?:-(\d+))?")
PAGE_FIELDS = {"csrf_token", "revision"}
MAX_REVISION = MAX_COLUMN_INTEGER


def answers_from_fields(
    fields: MultiDict[str, str], snapshot: list[SnapshotItem], page_fields: set[str] = PAGE_FIELDS
) -> dict[str, object]:
    """Read a quiz page's answer fields; any field no quiz page has is refused as tampering.

    ``q-<question>`` holds a value (as its kind reads it: several for multiple choice),
    ``q-<question>-<pair>`` a pair's answer (matching). Questions not in the attempt are passed on for
    the service to refuse.
    """
    kinds = {str(item["question_id"]): KINDS.get(item["kind"]) for item in snapshot}
    answers: dict[str, object] = {}
    pairs: dict[str, dict[str, str | None]] = {}
    for key in fields:
        if key in page_fields:
            continue
        match = ANSWER_FIELD.fullmatch(key)
        if not match:
            raise TamperedResponseError(_("The page sent a field no quiz page has. Nothing was saved."))
        question_id, pair = match.groups()
        kind = kinds.get(question_id)
        if pair is not None:
            if kind is None or not kind.pair_fields:
                raise TamperedResponseError(_("The page sent a field no quiz page has. Nothing was saved."))
            answers[question_id] = pairs.setdefault(question_id, {})
            pairs[question_id][pair] = fields.get(key)
        elif kind is not None:
            answers[question_id] = kind.field_value(fields, key)
        else:
            answers[question_id] = fields.get(key)
    return answers


def revision_from(value: object) -> int:
    """The answers' revision the page holds: a whole number an integer column can hold."""
    try:
        revision = int(value) if isinstance(value, str | int | float) else -1
    except (ValueError, OverflowError):
        revision = -1
    if isinstance(value, bool) or not 0 <= revision <= MAX_REVISION:
        raise TamperedResponseError(_("The page did not say which version of the answers it holds."))
    return revision
