from collections.abc import Iterable
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.courses.models import CompletionRule, CourseStatus, LessonKind, ReviewStatus, RevisionOrigin

KIND_LABELS = {
    LessonKind.TEXT: _l("Text"),
    LessonKind.VIDEO: _l("Video"),
    LessonKind.READING: _l("Reading"),
    LessonKind.QUIZ: _l("Quiz"),
    LessonKind.LIVE: _l("Live lesson"),
}
COMPLETION_LABELS = {
    CompletionRule.OPENED: _l("Opened"),
    CompletionRule.WATCHED: _l("Video watched to the end"),
    CompletionRule.READ: _l("Reading time spent"),
    CompletionRule.SUBMITTED: _l("Quiz submitted"),
    CompletionRule.PASSED: _l("Quiz passed"),
    CompletionRule.ATTENDED: _l("Live broadcast attended"),
}
# A text lesson's "opened" rule asks for its reading time (PROGRESS_TEXT_MIN_SHARE of its minutes)
# or the member's "I have finished reading" after it: opening alone only starts it.
TEXT_OPENED_LABEL = _l("Read for its time, or “I have finished reading”")
LIVE_WATCHED_LABEL = _l("Live broadcast attended, or its replay watched")
# The lesson form offers "opened" for every kind: say what it means for a text lesson.
OPTION_LABELS = {
    CompletionRule.OPENED: _l("Opened (a text lesson: read for its time, or “I have finished reading”)")
}


def completion_label(kind: LessonKind, rule: CompletionRule) -> str:
    """What completes a lesson of this kind under this rule, as the member reads it."""
    if kind is LessonKind.TEXT and rule is CompletionRule.OPENED:
        return TEXT_OPENED_LABEL
    if kind is LessonKind.LIVE and rule is CompletionRule.WATCHED:
        return LIVE_WATCHED_LABEL
    return COMPLETION_LABELS[rule]


STATUS_LABELS = {CourseStatus.DRAFT: _l("Draft"), CourseStatus.PUBLISHED: _l("Published")}
ORIGIN_LABELS = {
    RevisionOrigin.FOLDER: _l("Course folder"),
    RevisionOrigin.BROWSER: _l("Browser"),
    RevisionOrigin.REVIEW: _l("Approved in review"),
}
REVIEW_STATUS_LABELS = {
    ReviewStatus.PENDING: _l("Waiting for review"),
    ReviewStatus.APPROVED: _l("Approved"),
    ReviewStatus.RETURNED: _l("Returned for changes"),
    ReviewStatus.WITHDRAWN: _l("Withdrawn"),
}


def select_choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Build a select field's options from (value, label) pairs."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


class CourseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    credit_hours = DecimalField(
        _l("Credit hours (学时)"),
        places=1,
        default=Decimal(1),
        validators=[InputRequired(), NumberRange(0, 999)],
    )
    tags = StringField(_l("Tags (separated by commas)"), validators=[Optional(), Length(max=500)])
    audience = StringField(_l("Audience"), validators=[Optional(), Length(max=200)])


class NewCourseForm(CourseForm):
    slug = StringField(
        _l("Short name for addresses (letters, digits, hyphens)"),
        validators=[DataRequired(), Length(min=2, max=80)],
    )


class ModuleForm(FlaskForm):
    title = StringField(_l("Module title"), validators=[DataRequired(), Length(max=200)])
    summary = StringField(_l("Module summary"), validators=[Optional(), Length(max=1000)])


class LessonForm(FlaskForm):
    title = StringField(_l("Lesson title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"), choices=select_choices((kind.value, label) for kind, label in KIND_LABELS.items())
    )
    minutes = IntegerField(
        _l("Estimated minutes"), default=10, validators=[InputRequired(), NumberRange(1, 600)]
    )
    completion = SelectField(
        _l("Completed when"),
        choices=select_choices(
            [("", _l("The usual rule for this kind"))]
            + [(rule.value, OPTION_LABELS.get(rule, label)) for rule, label in COMPLETION_LABELS.items()]
        ),
        validators=[Optional()],
    )
    body = TextAreaField(_l("Content (Markdown)"), validators=[Optional(), Length(max=200_000)])
    # Checked by the service (a clear message for a video gone from the library), not as a choice.
    video_id = SelectField(_l("Video from the video library"), validators=[Optional()], validate_choice=False)
    # Filled by the picker (search the library, choose a document); the service checks it exists.
    document = HiddenField(_l("Library document"), validators=[Optional(), Length(max=200)])
    section = SelectField(_l("Section to start from"), validators=[Optional()], validate_choice=False)
    quiz_source = TextAreaField(_l("Questions (GIFT format)"), validators=[Optional(), Length(max=200_000)])
    pass_score = IntegerField(_l("Pass score (%)"), validators=[Optional(), NumberRange(0, 100)])
    time_limit = IntegerField(_l("Time limit (minutes)"), validators=[Optional(), NumberRange(1, 600)])
    attempts = IntegerField(_l("Attempts allowed"), validators=[Optional(), NumberRange(1, 100)])
    # A live lesson: when the broadcast starts (in the display time zone) and who speaks.
    live_starts = DateTimeLocalField(
        _l("Broadcast starts at"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    live_speaker = StringField(_l("Speaker"), validators=[Optional(), Length(max=100)])


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired()])


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])


class SubmitForReviewForm(FlaskForm):
    note = TextAreaField(_l("A note for the reviewer (optional)"), validators=[Optional(), Length(max=2000)])


class DecisionForm(FlaskForm):
    comments = TextAreaField(_l("Comments for the trainer"), validators=[Optional(), Length(max=2000)])


class AssignmentForm(FlaskForm):
    unit_id = SelectField(_l("Organisation unit (and everything below it)"), coerce=int)
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    required = BooleanField(_l("Required (otherwise elective)"), default=True)
    due_date = DateField(_l("Due date"), validators=[Optional()])


class CourseUploadForm(FlaskForm):
    archive = FileField(_l("Course folder as a .zip file"), validators=[FileRequired()])


class AttachmentForm(FlaskForm):
    file = FileField(_l("Image (PNG, JPEG, GIF, WebP) or PDF, at most 10 MB"), validators=[FileRequired()])
