from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

CHOICES = [
    ("inherit", _l("As the unit above (or the site's default)")),
    ("on", _l("Offline study earns credit")),
    ("off", _l("Offline study earns no credit")),
]


class OfflineSettingForm(FlaskForm):
    choice = RadioField(_l("Offline credit"), choices=CHOICES, validators=[InputRequired()])
