from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.board.services import MAX_TITLE
from app.discussions.forms import ReportForm
from app.discussions.services import MAX_BODY, MAX_REASON


class TopicForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    body = TextAreaField(
        _l("Text (Markdown)"), validators=[DataRequired(), Length(max=MAX_BODY)], render_kw={"rows": 6}
    )


class BoardReportForm(ReportForm):
    reason = StringField(
        _l("Why should the branch secretary look at this post?"),
        validators=[DataRequired(), Length(max=MAX_REASON)],
    )
