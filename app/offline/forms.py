from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs
from wtforms.validators import InputRequired

CHOICES = [
    SelectChoice("inherit", _l("As the unit above (or the site's default)")),
    SelectChoice("on", _l("Offline study earns credit")),
    SelectChoice("off", _l("Offline study earns no credit")),
]


class OfflineSettingForm(FlaskForm):
    """A unit's say on offline credit: its own on or off, or the nearest unit above's."""

    choice = RadioField(_l("Offline credit"), choices=CHOICES, validators=[InputRequired()])
