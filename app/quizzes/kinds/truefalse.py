"""True/false: the statement is true or false; each answer has the feedback shown to whoever picks it."""

from typing import cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2
from wtforms.validators import InputRequired, Length

from app.quizzes.answers import Answer, SnapshotItem
from app.quizzes.editor import TEXT_LIMIT, QuestionForm, clean_typed
from app.quizzes.errors import QuizError
from app.quizzes.gift_syntax import text_in, with_format
from app.quizzes.kinds.base import FULL_MARKS, RADIO_INPUTS, Kind, ResponseError, clamp, register
from app.quizzes.models import Question, QuestionKind, TextFormat

GIFT_WORDS = {"T": True, "TRUE": True, "F": False, "FALSE": False}
TRUE_WORDS = {"对", "正确", "√", "是", "T", "TRUE", "Y"}
FALSE_WORDS = {"错", "错误", "×", "否", "F", "FALSE", "N"}


def _answers(correct: bool, true_feedback: str = "", false_feedback: str = "") -> list[Answer]:
    return [
        {"text": "true", "fraction": 1.0 if correct else 0.0, "feedback": true_feedback},
        {"text": "false", "fraction": 0.0 if correct else 1.0, "feedback": false_feedback},
    ]


class TrueFalseForm(QuestionForm):
    """True/false: the right value, and the feedback for each answer."""

    layout = "fields"
    answer_fields = ("correct", "true_feedback", "false_feedback")
    correct = RadioField(
        _l("The statement is"),
        choices=[SelectChoice("true", _l("True")), SelectChoice("false", _l("False"))],
        validators=[InputRequired(message=_l("Choose whether the statement is true or false."))],
    )
    true_feedback = StringField(
        _l("Feedback for whoever answers “true”"), validators=[Length(max=TEXT_LIMIT)]
    )
    false_feedback = StringField(
        _l("Feedback for whoever answers “false”"), validators=[Length(max=TEXT_LIMIT)]
    )

    @classmethod
    def initial(cls, question: Question) -> dict[str, object]:
        true, false = cast(list[Answer], question.answers)
        return super().initial(question) | {
            "correct": "true" if true["fraction"] >= FULL_MARKS else "false",
            "true_feedback": true.get("feedback", ""),
            "false_feedback": false.get("feedback", ""),
        }

    def read_answers(self) -> list[Answer]:
        right = 1.0 if self.correct.data == "true" else 0.0
        return [
            {"text": "true", "fraction": right, "feedback": clean_typed(self.true_feedback.data)},
            {"text": "false", "fraction": 1.0 - right, "feedback": clean_typed(self.false_feedback.data)},
        ]


@register
class TrueFalse(Kind[Answer, bool]):
    name = QuestionKind.TRUEFALSE
    position = 30
    label = _l("True/false")
    form = TrueFalseForm
    gift_order = 50
    excel_name = "判断题"
    page_inputs = RADIO_INPUTS

    def validate(self, answers: list[Answer]) -> list[str]:
        texts = [answer.get("text") for answer in answers]
        if texts != ["true", "false"] or sum(answer["fraction"] >= FULL_MARKS for answer in answers) != 1:
            return [_("A true/false question needs exactly one correct value.")]
        return []

    def public(self, item: SnapshotItem) -> dict[str, object]:
        return {"options": [{"id": "true", "text": _("True")}, {"id": "false", "text": _("False")}]}

    def page_value(self, saved: bool | None) -> object:
        # The radio buttons carry "true"/"false".
        return None if saved is None else "true" if saved else "false"

    def clean(self, item: SnapshotItem, raw: object) -> bool | None:
        if raw in (None, ""):
            return None
        if raw not in ("true", "false", True, False):
            raise ResponseError("not true or false")
        return raw in ("true", True)

    def grade(self, answers: list[Answer], response: bool | None) -> float:
        if response is None:
            return 0.0
        return clamp(answers[0 if response else 1]["fraction"])

    def correct_answer(self, answers: list[Answer]) -> str:
        return _("True") if answers[0]["fraction"] >= FULL_MARKS else _("False")

    def describe(self, item: SnapshotItem, response: bool | None) -> str:
        return "" if response is None else _("True") if response else _("False")

    def feedback(self, answers: list[Answer], response: bool | None) -> str:
        return "" if response is None else answers[0 if response else 1].get("feedback", "")

    # GIFT: {TRUE#feedback for a wrong answer#feedback for the right one}.

    def gift_claims(self, answer_text: str | None) -> bool:
        return answer_text is not None and answer_text.split("#", 1)[0].strip() in GIFT_WORDS

    def read_gift(self, answer_text: str, fmt: TextFormat) -> list[Answer]:
        bits = [*answer_text.split("#", 2), "", ""]
        correct = GIFT_WORDS[bits[0].strip()]
        # Moodle: the first feedback is for a wrong answer, the second for the right one.
        wrong, right = with_format(bits[1], fmt)[0], with_format(bits[2], fmt)[0]
        return _answers(correct, right if correct else wrong, wrong if correct else right)

    def write_gift(self, head: str, answers: list[Answer], fmt: str, general: str) -> list[str]:
        true, false = answers
        correct = true["fraction"] >= 1
        right, wrong = (true, false) if correct else (false, true)
        body = "TRUE" if correct else "FALSE"
        if wrong["feedback"] or right["feedback"]:
            body += "#" + text_in(wrong["feedback"], fmt, fmt)
        if right["feedback"]:
            body += "#" + text_in(right["feedback"], fmt, fmt)
        return [head + "{" + body + general + "}"]

    # Excel: 对 or 错 in 答案.

    def read_excel(self, options: list[str], answer: str) -> list[Answer]:
        word = answer.upper()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise QuizError(_("The answer of a true/false question is 对 or 错."))
        return _answers(word in TRUE_WORDS)

    def write_excel(self, answers: list[Answer]) -> tuple[list[str], str]:
        return [], "对" if answers[0]["fraction"] >= FULL_MARKS else "错"
