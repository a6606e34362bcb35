from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.notices.robots import MAX_SECRET, MAX_URL
from app.notices.services import MAX_BODY, MAX_TITLE


class EditNoticeForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=MAX_BODY)], render_kw={"rows": 10})
    deadline = DateField(_l("Deadline (optional)"), validators=[Optional()])
    requires_ack = BooleanField(_l("Members must acknowledge this notice"))
    files = MultipleFileField(
        _l("Attachments (images or PDF)"),
        render_kw={"accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf"},
    )


class NoticeForm(EditNoticeForm):
    unit_id = SelectField(_l("Send to (this unit and everything below it)"), coerce=int)
    send_email = BooleanField(_l("Also send it by e-mail to the addressees who gave an address"))
    send_robots = BooleanField(_l("Also post it to the group robots (WeCom / DingTalk) of these units"))


class RobotForm(FlaskForm):
    webhook_url = StringField(
        _l("Webhook address"), validators=[Length(max=MAX_URL)], render_kw={"autocomplete": "off"}
    )
    secret = PasswordField(
        _l("Signing secret (DingTalk 加签, starts with SEC)"),
        validators=[Length(max=MAX_SECRET)],
        render_kw={"autocomplete": "new-password"},
    )
    clear_secret = BooleanField(_l("Remove the stored secret"))
    enabled = BooleanField(_l("Post notices to this robot"), default=True)
