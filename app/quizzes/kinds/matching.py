"""Matching: items each paired with its answer; a pair without an item adds a wrong choice."""

import random
from typing import cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField, StringField
from wtforms.validators import Length

from app.quizzes.answers import Pair, SnapshotItem
from app.quizzes.editor import TEXT_LIMIT, RowsForm, clean_typed
from app.quizzes.errors import QuizError
from app.quizzes.gift_syntax import GiftItemError, escape, escape_post, split, text_in, with_format
from app.quizzes.kinds.base import LETTERS, Kind, ResponseError, clamp, register
from app.quizzes.models import Question, QuestionKind, TextFormat

PAGE_TEXTS = (_l("Choose…"),)  # translated when the page inputs are rendered
Matched = dict[str, str]  # {pair index: the answer chosen for it}


class MatchingRow(Form):
    question = StringField(_l("Item"), validators=[Length(max=TEXT_LIMIT)])
    answer = StringField(_l("Its answer"), validators=[Length(max=TEXT_LIMIT)])


class MatchingForm(RowsForm):
    """Matching: each item with the answer that belongs to it."""

    hint = _l("Each row pairs an item with its answer; a row with only an answer adds a wrong choice.")
    rows = FieldList(FormField(MatchingRow))

    @classmethod
    def initial(cls, question: Question) -> dict[str, object]:
        pairs = cast(list[Pair], question.answers)
        rows = [{"question": pair["question"], "answer": pair["answer"]} for pair in pairs]
        return super().initial(question) | {"rows": rows}

    def read_answers(self) -> list[Pair]:
        pairs: list[Pair] = []
        for row_number, row in enumerate(self.rows, start=1):
            item, answer = clean_typed(row.question.data), clean_typed(row.answer.data)
            if not answer:
                if item:
                    self.problem(row_number, _("the item needs its answer"))
                continue
            pairs.append({"question": item, "answer": answer})
        return pairs


@register
class Matching(Kind[Pair, Matched]):
    name = QuestionKind.MATCHING
    position = 60
    label = _l("Matching")
    has_options = True  # the order of the answers offered in each drop-down
    form = MatchingForm
    pair_fields = True
    page_inputs = """\
      {% for pair in q.pairs %}
      <label class="pair"><span>{{ pair.text | question_html(q.format) }}</span>
        <select name="q-{{ q.id }}-{{ pair.id }}">
          <option value="">{{ _("Choose…") }}</option>
          {% for choice in q.choices %}<option value="{{ choice }}" {% if q.saved and q.saved.get(pair.id|string) == choice %}selected{% endif %}>{{ choice }}</option>{% endfor %}
        </select></label>
      {% endfor %}
"""
    gift_order = 40
    excel_name = "匹配题"
    excel_options = True

    def validate(self, answers: list[Pair]) -> list[str]:
        if sum(1 for pair in answers if pair["question"].strip()) < 2 or len(self.choices(answers)) < 2:
            return [_("A matching question needs at least two pairs.")]
        return []

    def json_answer(self, answer: Pair) -> dict[str, object]:
        return {"question": answer["question"], "answer": answer["answer"]}

    @staticmethod
    def choices(answers: list[Pair]) -> list[str]:
        return sorted({pair["answer"] for pair in answers})

    def option_order(self, answers: list[Pair], shuffle: bool, rng: random.Random) -> list[int]:
        order = list(range(len(self.choices(answers))))
        if shuffle:
            rng.shuffle(order)
        return order

    def public(self, item: SnapshotItem) -> dict[str, object]:
        answers = self.answers_of(item)
        choices = self.choices(answers)
        return {
            "pairs": [
                {"id": index, "text": pair["question"]}
                for index, pair in enumerate(answers)
                if pair["question"].strip()
            ],
            "choices": [choices[index] for index in item["order"]],
        }

    def clean(self, item: SnapshotItem, raw: object) -> Matched | None:
        if raw in (None, ""):
            return None
        if not isinstance(raw, dict):
            raise ResponseError("not a set of pairs")
        answers = self.answers_of(item)
        choices = set(self.choices(answers))
        cleaned: Matched = {}
        for key, value in raw.items():
            if not str(key).isdigit() or not 0 <= int(key) < len(answers):
                raise ResponseError("not a pair of this question")
            if value in (None, ""):
                continue
            if value not in choices:
                raise ResponseError("not an offered answer")
            cleaned[str(int(key))] = value
        return cleaned or None

    def grade(self, answers: list[Pair], response: Matched | None) -> float:
        pairs = [(index, pair) for index, pair in enumerate(answers) if pair["question"].strip()]
        if not response or not pairs:
            return 0.0
        right = sum(1 for index, pair in pairs if response.get(str(index)) == pair["answer"])
        return clamp(right / len(pairs))

    def correct_answer(self, answers: list[Pair]) -> str:
        return "; ".join(
            f"{pair['question']} → {pair['answer']}" for pair in answers if pair["question"].strip()
        )

    def describe(self, item: SnapshotItem, response: Matched | None) -> str:
        pairs = self.answers_of(item)
        return "; ".join(
            f"{pairs[int(key)]['question']} → {value}" for key, value in (response or {}).items()
        )

    # GIFT: {=item -> answer =item -> answer}.

    def gift_claims(self, answer_text: str | None) -> bool:
        return answer_text is not None and "=" in answer_text and "->" in answer_text

    def read_gift(self, answer_text: str, fmt: TextFormat) -> list[Pair]:
        pairs: list[Pair] = []
        for part in split(answer_text, "="):
            if "->" not in part:
                raise GiftItemError(_("Every matching pair needs “->” between question and answer."))
            question, answer = part.split("->", 1)
            pairs.append({"question": with_format(question, fmt)[0], "answer": escape_post(answer).strip()})
        if len(pairs) < 2:
            raise GiftItemError(_("A matching question needs at least two pairs."))
        return pairs

    def gift_answer_lines(self, answers: list[Pair], fmt: str) -> list[str]:
        return [f"={text_in(p['question'], fmt, fmt)} -> {escape(p['answer'])}" for p in answers]

    # Excel: each option "left -> right", 答案 empty.

    def read_excel(self, options: list[str], answer: str) -> list[Pair]:
        if answer:
            raise QuizError(_("Leave 答案 empty for a matching question: each option is “left -> right”."))
        pairs: list[Pair] = []
        for option in options:
            if "->" not in option:
                raise QuizError(_("Each option of a matching question is “left -> right”."))
            left, right = (part.strip() for part in option.split("->", 1))
            pairs.append({"question": left, "answer": right})
        return pairs

    def write_excel(self, answers: list[Pair]) -> tuple[list[str], str]:
        return [f"{p['question']} -> {p['answer']}" for p in answers[: len(LETTERS)]], ""
