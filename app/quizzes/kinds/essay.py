"""Essay (a trainer grades the answer) and description (no answer: text between questions)."""

from flask_babel import lazy_gettext as _l

from app.quizzes.answers import Answer, SnapshotItem
from app.quizzes.kinds.base import Kind, clean_text, register
from app.quizzes.models import QuestionKind


@register
class Essay(Kind[Answer, str]):
    name = QuestionKind.ESSAY
    position = 70
    label = _l("Essay")
    graded = False
    hand_graded = True
    page_inputs = """\
      <textarea name="q-{{ q.id }}" rows="8" class="answer-input" aria-label="{{ _('Your answer') }}">{{ q.saved or '' }}</textarea>
"""
    gift_order = 10
    excel_name = "简答题"
    excel_aliases = ("论述题", "问答题")

    def clean(self, item: SnapshotItem, raw: object) -> str | None:
        return clean_text(raw)

    def gift_claims(self, answer_text: str | None) -> bool:
        return answer_text == ""  # empty braces

    def write_gift(self, head: str, answers: list[Answer], fmt: str, general: str) -> list[str]:
        return [head + "{" + general + "}"]


@register
class Description(Kind[Answer, None]):
    name = QuestionKind.DESCRIPTION
    position = 80
    label = _l("Description (no answer)")
    graded = False
    answerable = False
    gift_order = 0
    excel_name = "说明"

    def gift_claims(self, answer_text: str | None) -> bool:
        return answer_text is None  # no braces at all

    def write_gift(self, head: str, answers: list[Answer], fmt: str, general: str) -> list[str]:
        return [head]
