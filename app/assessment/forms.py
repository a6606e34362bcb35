from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.assessment.models import Measure
from app.auth.models import Role

MEASURE_LABELS = {
    Measure.AVERAGE_HOURS: _l("Average study hours per person"),
    Measure.REQUIRED_COMPLETION: _l("Required-course completion rate (%)"),
    Measure.SESSIONS_HELD: _l("In-person study sessions held"),
    Measure.MANUAL: _l("Recorded measure"),
}
ROLE_LABELS = {Role.MEMBER: _l("Members"), Role.SECRETARY: _l("Secretaries and committee members")}
STATUS_LABELS = {
    "stretch": _l("Stretch target reached"),
    "required": _l("Required target reached"),
    "missed": _l("Required target missed"),
    "none": _l("Nothing to measure"),
}
QUARTER_CHOICES = [
    SelectChoice(str(quarter), _l("Q%(quarter)d", quarter=quarter)) for quarter in (1, 2, 3, 4)
]


class QuarterBoxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class TargetForm(FlaskForm):
    role = SelectField(
        _l("Who"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]
    )
    measure = SelectField(
        _l("Measure"),
        choices=[SelectChoice(measure.value, label) for measure, label in MEASURE_LABELS.items()],
    )
    name = StringField(_l("Name of the recorded measure"), validators=[Optional(), Length(max=100)])
    quarters = QuarterBoxes(_l("Quarters"), choices=QUARTER_CHOICES, validators=[DataRequired()])
    required_level = DecimalField(
        _l("Required level"), places=2, validators=[InputRequired(), NumberRange(0)]
    )
    stretch_level = DecimalField(_l("Stretch level"), places=2, validators=[InputRequired(), NumberRange(0)])


class ValueForm(FlaskForm):
    name = StringField(_l("Recorded measure"), validators=[DataRequired(), Length(max=100)])
    value = DecimalField(_l("Value"), places=2, validators=[InputRequired(), NumberRange(0)])


class PdcaForm(FlaskForm):
    plan = TextAreaField(_l("Plan"), validators=[Optional(), Length(max=5000)])
    do = TextAreaField(_l("Do"), validators=[Optional(), Length(max=5000)])
    check = TextAreaField(_l("Check"), validators=[Optional(), Length(max=5000)])
    act = TextAreaField(_l("Act"), validators=[Optional(), Length(max=5000)])
