"""Question text to safe HTML, by its format (Moodle's "moodle" format keeps line breaks)."""

import markdown
import nh3
from markupsafe import Markup, escape

from app.quizzes.models import TextFormat


def question_html(text: str, fmt: str) -> Markup:
    fmt = TextFormat(fmt)
    if fmt is TextFormat.PLAIN:
        return Markup("<br>".join(escape(line) for line in text.split("\n")))
    if fmt is TextFormat.MARKDOWN:
        html = markdown.markdown(text)
    elif fmt is TextFormat.MOODLE:
        html = text.replace("\n", "<br>")
    else:
        html = text
    return Markup(nh3.clean(html))
