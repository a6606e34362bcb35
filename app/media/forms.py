from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.media.models import VideoStatus

STATUS_LABELS = {
    VideoStatus.QUEUED: _l("Queued"),
    VideoStatus.PROCESSING: _l("Processing"),
    VideoStatus.READY: _l("Ready"),
    VideoStatus.FAILED: _l("Failed"),
}


class UploadForm(FlaskForm):
    """Rendered for the page only: the body is parsed by media.uploads, which streams the file to disk."""

    file = FileField(_l("Video file"))


class SubtitleForm(FlaskForm):
    file = FileField(_l("WebVTT file (.vtt)"), validators=[FileRequired()])
    language = StringField(_l("Language code"), default="zh-CN", validators=[DataRequired(), Length(max=20)])
    label = StringField(
        _l("Label shown in the player"), default="中文", validators=[DataRequired(), Length(max=50)]
    )
