from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2
from wtforms.validators import DataRequired, Length, Optional

FORMATS_HINT = _l(
    "Markdown (.md), plain text (.txt, UTF-8 or GB18030), HTML (.html) or EPUB (.epub), at most 16 MB."
)


class UploadForm(FlaskForm):
    document = FileField(_l("File"), validators=[FileRequired()])
    collection = StringField(_l("Collection"), validators=[DataRequired(), Length(max=100)])
    replace = BooleanField(
        _l(
            "Replace the document with the same file name in this collection (its current text is "
            "kept as a revision; only its uploader or an administrator may)"
        )
    )


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    author = StringField(_l("Author"), validators=[Optional(), Length(max=200)])
    date = DateField(_l("Date"), validators=[Optional()])
    source = StringField(_l("Source"), validators=[Optional(), Length(max=500)])
    tags = StringField(_l("Tags (separated by commas)"), validators=[Optional(), Length(max=500)])
    collection = StringField(_l("Collection"), validators=[DataRequired(), Length(max=100)])
    key = StringField(
        _l("Identifier (used by reading lessons)"), validators=[DataRequired(), Length(max=100)]
    )


class ResourceForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    caption = TextAreaField(_l("Caption"), validators=[Optional(), Length(max=5000)])
    topic = StringField(_l("Special topic"), validators=[Optional(), Length(max=100)])
    collection = StringField(_l("Collection"), validators=[DataRequired(), Length(max=100)])
    published = BooleanField(_l("Shown to members"), default=True)


class NewResourceForm(ResourceForm):
    kind = RadioField(
        _l("Kind"),
        choices=[SelectChoice("image", _l("Picture")), SelectChoice("video", _l("Video"))],
        default="image",
    )
    image = FileField(_l("Picture (PNG, JPEG, GIF or WebP)"))
    video_id = SelectField(_l("Video from the video library"), coerce=int, default=0)
