"""Numerical: a number with a tolerance, or a range, per answer; ``*`` matches any other number."""

from typing import NotRequired, TypedDict, cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField, StringField
from wtforms.validators import Length

from app.quizzes.answers import NumericalAnswer, SnapshotItem
from app.quizzes.editor import TEXT_LIMIT, RowsForm, clean_typed, typed_number
from app.quizzes.errors import QuizError
from app.quizzes.gift_syntax import (
    NUMBER,
    GiftItemError,
    answer_of,
    feedback_text,
    number,
    number_text,
    split,
    text_in,
    weight,
    weight_text,
    with_format,
)
from app.quizzes.kinds.base import (
    FULL_MARKS,
    Kind,
    ResponseError,
    clamp,
    clean_text,
    parse_number,
    register,
    text_input,
)
from app.quizzes.models import Question, QuestionKind, TextFormat

ANY_NUMBER = "*"


class Measure(TypedDict):
    """The number an editor row asks for, as a ``NumericalAnswer`` holds it: with a tolerance, or a range."""

    text: str
    tolerance: NotRequired[float]
    min: NotRequired[float]
    max: NotRequired[float]


class NumericalRow(Form):
    text = StringField(_l("The number"), validators=[Length(max=50)])
    tolerance = StringField(_l("± Tolerance"), validators=[Length(max=50)])
    minimum = StringField(_l("Range from"), validators=[Length(max=50)])
    maximum = StringField(_l("Range to"), validators=[Length(max=50)])
    fraction = StringField(_l("Grade (percent)"), validators=[Length(max=20)])
    feedback = StringField(_l("Feedback"), validators=[Length(max=TEXT_LIMIT)])


class NumericalForm(RowsForm):
    """Numerical: a number with a tolerance, or a range, per row; feedback for any other number."""

    hint = _l(
        "Each row takes a number with its tolerance (3.14 ± 0.01) or a range (from 1 to 5), and a grade "
        "in percent (empty: 100)."
    )
    answer_fields = ("other_feedback",)
    rows = FieldList(FormField(NumericalRow))
    other_feedback = StringField(_l("Feedback for any other number"), validators=[Length(max=TEXT_LIMIT)])

    @classmethod
    def initial(cls, question: Question) -> dict[str, object]:
        rows, other = [], ""
        for answer in cast(list[NumericalAnswer], question.answers):
            if answer["text"] == ANY_NUMBER:
                other = answer.get("feedback", "")
                continue
            ranged = "min" in answer and "max" in answer
            tolerance = answer.get("tolerance", 0)
            rows.append(
                {
                    "text": "" if ranged else answer["text"],
                    "tolerance": number_text(tolerance) if tolerance else "",
                    "minimum": number_text(answer.get("min", 0)) if ranged else "",
                    "maximum": number_text(answer.get("max", 0)) if ranged else "",
                    "fraction": weight_text(answer["fraction"]),
                    "feedback": answer.get("feedback", ""),
                }
            )
        return super().initial(question) | {"rows": rows, "other_feedback": other}

    def read_answers(self) -> list[NumericalAnswer]:
        answers: list[NumericalAnswer] = []
        for row_number, row in enumerate(self.rows, start=1):
            value, tolerance, low, high, grade, feedback = (
                clean_typed(field.data)
                for field in (row.text, row.tolerance, row.minimum, row.maximum, row.fraction, row.feedback)
            )
            if not (value or low or high):
                if tolerance or grade or feedback:
                    self.problem(row_number, _("write the number or the range, or clear the row"))
                continue
            measure = self._measure(row_number, value, tolerance, low, high)
            fraction = self.grade(row_number, grade, 100.0)
            if measure is not None and fraction is not None:
                answers.append({"fraction": fraction, "feedback": feedback, **measure})
        other = clean_typed(self.other_feedback.data)
        if other:
            answers.append({"text": ANY_NUMBER, "fraction": 0.0, "feedback": other})
        return answers

    def _measure(self, row: int, value: str, tolerance: str, low: str, high: str) -> Measure | None:
        if value and (low or high):
            self.problem(row, _("give a number with its tolerance, or a range, not both"))
            return None
        if value:
            margin = typed_number(tolerance) if tolerance else 0.0
            for typed, read in ((value, typed_number(value)), (tolerance, margin)):
                if read is None:
                    self.problem(row, _("“%(value)s” is not a number.", value=typed))
                    return None
            return {"text": value, "tolerance": abs(margin or 0.0)}
        bounds = typed_number(low), typed_number(high)
        if bounds[0] is None or bounds[1] is None:
            self.problem(row, _("a range needs a number at each end"))
            return None
        if bounds[0] > bounds[1]:
            self.problem(row, _("the range runs backwards"))
            return None
        return {"text": f"{low}..{high}", "min": bounds[0], "max": bounds[1]}


@register
class Numerical(Kind[NumericalAnswer, str]):
    name = QuestionKind.NUMERICAL
    position = 50
    label = _l("Numerical")
    form = NumericalForm
    page_inputs = text_input('inputmode="decimal"')
    gift_order = 20
    gift_opening = "{#"
    excel_name = "数值题"

    def validate(self, answers: list[NumericalAnswer]) -> list[str]:
        if not any(answer["fraction"] > 0 and answer["text"] != ANY_NUMBER for answer in answers):
            return [_("A numerical question needs at least one correct number.")]
        return []

    def json_answer(self, answer: NumericalAnswer) -> dict[str, object]:
        item: dict[str, object] = {
            "text": answer["text"],
            "fraction": answer["fraction"],
            "feedback": answer.get("feedback", ""),
        }
        if answer["text"] != ANY_NUMBER:
            if "min" in answer:
                item.update(min=answer["min"], max=answer.get("max"))
            else:
                item["tolerance"] = answer.get("tolerance", 0.0)
        return item

    def clean(self, item: SnapshotItem, raw: object) -> str | None:
        text = clean_text(raw if raw is None or isinstance(raw, str) else str(raw))
        if text is None:
            return None
        if parse_number(text) is None:
            raise ResponseError("not a number")
        return text

    @staticmethod
    def matches(answer: NumericalAnswer, value: float) -> bool:
        if answer["text"] == ANY_NUMBER:
            return True
        if "min" in answer and "max" in answer:
            return answer["min"] <= value <= answer["max"]
        target = float(answer["text"])
        # A hair of slack so that 3.1415 ± 0.0005 accepts 3.141 despite binary floating point.
        return abs(value - target) <= answer.get("tolerance", 0) + 1e-9 * max(1.0, abs(target))

    def grade(self, answers: list[NumericalAnswer], response: str | None) -> float:
        value = parse_number(response) if response else None
        if value is None:
            return 0.0
        scores = [answer["fraction"] for answer in answers if self.matches(answer, value)]
        return clamp(max(scores)) if scores else 0.0

    def correct_answer(self, answers: list[NumericalAnswer]) -> str:
        described = []
        for answer in answers:
            if answer["fraction"] < FULL_MARKS or answer["text"] == ANY_NUMBER:
                continue
            if "min" in answer and "max" in answer:
                described.append(f"{answer['min']:g} … {answer['max']:g}")
            elif answer.get("tolerance"):
                described.append(f"{answer['text']} ± {answer.get('tolerance', 0):g}")
            else:
                described.append(answer["text"])
        return " / ".join(described)

    def feedback(self, answers: list[NumericalAnswer], response: str | None) -> str:
        value = parse_number(response) if response else None
        matching = [answer for answer in answers if value is not None and self.matches(answer, value)]
        return max(matching, key=lambda answer: answer["fraction"]).get("feedback", "") if matching else ""

    # GIFT: {#=3.14:0.01 =%50%1..5 ~#feedback for any other number}.

    def gift_claims(self, answer_text: str | None) -> bool:
        return answer_text is not None and answer_text.startswith("#")

    def read_gift(self, answer_text: str, fmt: TextFormat) -> list[NumericalAnswer]:
        answer_text = answer_text[1:]
        wrong = ""
        if "~" in answer_text:
            answer_text, wrong = answer_text[: answer_text.index("~")], answer_text[answer_text.index("~") :]
        answers: list[NumericalAnswer] = []
        for part in split(answer_text, "="):
            fraction, part = weight(part, 1.0)
            read = answer_of(part, fraction, fmt)
            item: NumericalAnswer = {
                "text": read["text"],
                "fraction": read["fraction"],
                "feedback": read["feedback"],
            }
            value = item["text"]
            if value.find("..") > 0:
                low, high = (number(bound) for bound in value.split("..", 1))
                if low > high:
                    raise GiftItemError(_("The range %(range)s runs backwards.", range=value))
                item["min"], item["max"] = low, high
            elif value.find(":") > 0:
                typed, tolerance = value.split(":", 1)
                number(typed)
                item["text"], item["tolerance"] = typed.strip(), abs(number(tolerance))
            else:
                number(value)
                item["tolerance"] = 0.0
            answers.append(item)
        if not answers:
            raise GiftItemError(_("A numerical question needs at least one number."))
        if wrong:
            answers.append(
                {
                    "text": ANY_NUMBER,
                    "fraction": 0.0,
                    "feedback": with_format(wrong.partition("#")[2], fmt)[0],
                }
            )
        return answers

    def gift_answer_lines(self, answers: list[NumericalAnswer], fmt: str) -> list[str]:
        lines = []
        for a in answers:
            if a["text"] == ANY_NUMBER:
                lines.append("~#" + text_in(a.get("feedback", ""), fmt, fmt))
                continue
            if "min" in a and "max" in a:
                value = f"{number_text(a['min'])}..{number_text(a['max'])}"
            else:
                value = f"{a['text']}:{number_text(a.get('tolerance', 0))}"
            lines.append(
                f"=%{weight_text(a['fraction'])}%{value}" + feedback_text(a.get("feedback", ""), fmt)
            )
        return lines

    # Excel: "3.14:0.01" or "1..5" in 答案.

    def read_excel(self, options: list[str], answer: str) -> list[NumericalAnswer]:
        answer = answer.replace("：", ":").replace(" ", "")
        if ".." in answer:
            low, _sep, high = answer.partition("..")
            if NUMBER.fullmatch(low) and NUMBER.fullmatch(high) and float(low) <= float(high):
                return [
                    {"text": answer, "fraction": 1.0, "feedback": "", "min": float(low), "max": float(high)}
                ]
        else:
            value, _sep, tolerance = answer.partition(":")
            if NUMBER.fullmatch(value) and (not tolerance or NUMBER.fullmatch(tolerance)):
                return [
                    {"text": value, "fraction": 1.0, "feedback": "", "tolerance": abs(float(tolerance or 0))}
                ]
        raise QuizError(_("The answer of a numerical question is a number, “3.14:0.01” or “1..5”."))

    def write_excel(self, answers: list[NumericalAnswer]) -> tuple[list[str], str]:
        best = next(a for a in answers if a["text"] != ANY_NUMBER and a["fraction"] >= FULL_MARKS)
        if "min" in best and "max" in best:
            return [], f"{best['min']:g}..{best['max']:g}"
        return [], f"{best['text']}:{best.get('tolerance', 0):g}" if best.get("tolerance") else best["text"]
