from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.auth.models import Role
from app.progress.models import RuleKind, SessionKind, SourceKind

SESSION_KIND_LABELS = {
    SessionKind.GROUP_STUDY: _l("Group study"),
    SessionKind.PARTY_DAY: _l("Themed Party Day"),
    SessionKind.THREE_MEETINGS: _l("Three meetings and one lesson"),
    SessionKind.GROUP_VIEWING: _l("Group viewing"),
}

SOURCE_LABELS = {
    SourceKind.COURSE: _l("Course"),
    SourceKind.LESSON: _l("Lesson"),
    SourceKind.EXAM: _l("Exam"),
    SourceKind.SESSION: _l("In-person session"),
    SourceKind.CORRECTION: _l("Correction"),
    SourceKind.RESOURCE: _l("Self-study"),
}


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SessionForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(kind.value, label) for kind, label in SESSION_KIND_LABELS.items()]
    )
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(min=2, max=200)])
    minutes = IntegerField(_l("Duration (minutes)"), validators=[DataRequired(), NumberRange(10, 600)])
    lesson_id = SelectField(_l("Lesson played for the room (optional)"), coerce=int, default=0)
    attendees = CheckboxesField(_l("Present"), coerce=int)
    evidence = FileField(_l("Sign-in sheet or photo (image or PDF)"), validators=[FileRequired()])


class CorrectionForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    hours = DecimalField(_l("Hours (negative to remove)"), places=2, validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(min=5, max=500)])


TARGET_ROLE_LABELS = {Role.MEMBER: _l("Members"), Role.SECRETARY: _l("Secretaries and committee members")}


class TargetForm(FlaskForm):
    role = SelectField(
        _l("Who"), choices=[SelectChoice(role.value, label) for role, label in TARGET_ROLE_LABELS.items()]
    )
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    hours = DecimalField(_l("Study hours a year"), places=1, validators=[DataRequired(), NumberRange(1, 500)])


RULE_KIND_LABELS = {
    RuleKind.COURSE_HOURS: _l("By course: a completed course credits the hours it declares"),
    RuleKind.TIME_BANDS: _l("By lesson length: each completed lesson credits the hours of its band"),
}


class RuleForm(FlaskForm):
    kind = SelectField(
        _l("How hours are counted"),
        choices=[SelectChoice(kind.value, label) for kind, label in RULE_KIND_LABELS.items()],
    )
    bands = TextAreaField(_l("Bands: one MINUTES=HOURS line each"), validators=[Length(max=2000)])
    exam_hours = DecimalField(
        _l("Hours for a passed exam"), places=2, validators=[InputRequired(), NumberRange(0, 100)]
    )
    session_minutes_per_hour = IntegerField(
        _l("Minutes per hour of in-person study"), validators=[InputRequired(), NumberRange(1, 240)]
    )
