from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class ScheduleForm(FlaskForm):
    weekly = BooleanField(_l("Weekly report (Mondays)"))
    monthly = BooleanField(_l("Monthly report (on the 1st)"))
