from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2
from wtforms.validators import DataRequired, Length

from app.discussions.services import MAX_BODY, MAX_REASON, ModerationAction

MODERATION_LABELS = {
    ModerationAction.HIDE: _l("Hide"),
    ModerationAction.DELETE: _l("Delete"),
    ModerationAction.RESTORE: _l("Restore"),
}


class PostForm(FlaskForm):
    body = TextAreaField(
        _l("Your post (Markdown)"), validators=[DataRequired(), Length(max=MAX_BODY)], render_kw={"rows": 4}
    )
    is_question = BooleanField(_l("Ask the course's trainers (mark as a question)"))


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Your reply (Markdown)"), validators=[DataRequired(), Length(max=MAX_BODY)], render_kw={"rows": 4}
    )
    quote = HiddenField()


class ReportForm(FlaskForm):
    reason = StringField(
        _l("Why should the trainers look at this post?"), validators=[DataRequired(), Length(max=MAX_REASON)]
    )


class ModerateForm(FlaskForm):
    action = SelectField(
        _l("Action"), choices=[SelectChoice(key, label) for key, label in MODERATION_LABELS.items()]
    )
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=MAX_REASON)])
