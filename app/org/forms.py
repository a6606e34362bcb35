from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional

from app.auth.models import Role
from app.org.models import ChangeSource

CHANGE_SOURCE_LABELS = {
    ChangeSource.CREATED: _l("Account created"),
    ChangeSource.TRANSFER: _l("Transfer"),
    ChangeSource.ROSTER: _l("Roster import"),
}


class UnitNameForm(FlaskForm):
    name = StringField(_l("Unit name"), validators=[DataRequired(), Length(max=100)])


class MoveUnitForm(FlaskForm):
    parent_id = SelectField(_l("New parent unit"), coerce=int)


class MoveMemberForm(FlaskForm):
    unit_id = SelectField(_l("Transfer to"), coerce=int)
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NewMemberForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    username = StringField(_l("Username / staff number"), validators=[DataRequired(), Length(max=64)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=32)])
    roles = CheckboxesField(_l("Roles"), default=[Role.MEMBER.value])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=256)])


class RosterUploadForm(FlaskForm):
    roster = FileField(_l("Roster file (.xlsx or .csv)"), validators=[FileRequired()])
