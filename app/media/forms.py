from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

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
