from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional


class SelfStudyRuleForm(FlaskForm):
    earns_hours = BooleanField(_l("Watching the library's videos earns study hours"))
    minutes_per_hour = IntegerField(
        _l("Minutes of video per study hour"), validators=[InputRequired(), NumberRange(1, 240)]
    )
    yearly_cap = DecimalField(
        _l("Most self-study hours a member earns in a year (empty: no limit)"),
        places=1,
        validators=[Optional(), NumberRange(0, 500)],
    )
