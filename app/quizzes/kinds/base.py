"""What a question kind is: one class owning everything about the kind, and the registry.

A kind validates its answers, hides them from the page (``public``), reads a page's fields, cleans a
member's response and grades it as a fraction of the question's mark (``None``: a trainer grades
it); it reads and writes its GIFT answer block and its Excel row, brings its editor form and the
answer inputs of the quiz page, and exports its answers as JSON. The generic modules (``gift.py``,
``excel.py``, the editor's views, the attempt services and pages) only dispatch through ``KINDS``.
"""

import random
import re
import unicodedata
import weakref
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar, cast

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import Environment, Template
from werkzeug.datastructures import MultiDict

from app.quizzes.answers import Answer, SnapshotItem
from app.quizzes.editor import QuestionForm
from app.quizzes.errors import QuizError
from app.quizzes.gift_syntax import NUMBER
from app.quizzes.models import Question, TextFormat

FULL_MARKS = 0.9999  # weights such as 3 × 33.33333% count as full marks
LETTERS = "ABCDEF"  # the Excel layout's option columns, 选项A … 选项F
MAX_TEXT_RESPONSE = 20_000
# The page inputs of a kind answered by one of its ``options`` (single choice, true/false).
RADIO_INPUTS = """\
      {% for option in q.options %}
      <label class="option"><input type="radio" name="q-{{ q.id }}" value="{{ option.id }}" {% if q.saved is not none and q.saved == option.id %}checked{% endif %}> {{ option.text | question_html(q.format) }}</label>
      {% endfor %}
"""


# The page inputs translate their texts when rendered; marked here so that `make messages` keeps them.
PAGE_TEXTS = (_l("Your answer"),)


def text_input(attributes: str = "") -> str:
    """The page inputs of a kind answered by a typed line (fill in the blank, numerical)."""
    return (
        '      <input type="text" class="answer-input" name="q-{{ q.id }}" value="{{ q.saved or \'\' }}" '
        f'autocomplete="off" {attributes} aria-label="{{{{ _(\'Your answer\') }}}}">\n'
    )


A = TypeVar("A")  # the kind's stored answer (answers.py)
R = TypeVar("R")  # the kind's cleaned response


class ResponseError(ValueError):
    """A response that does not fit the question (tampered with or malformed)."""


def normalise_text(value: str) -> str:
    """Fold full-width/half-width forms (NFKC), case and spacing so equal answers compare equal."""
    value = unicodedata.normalize("NFKC", value).casefold()
    value = " ".join(value.split())
    # Spaces next to CJK (non-ASCII) characters carry no meaning: "中国 共产党" is "中国共产党".
    return re.sub(r" ?([^\x00-\x7f]) ?", r"\1", value)


def parse_number(value: str) -> float | None:
    """Read a number typed by a member, full-width digits included; None when it is not one."""
    value = unicodedata.normalize("NFKC", value).strip().replace(",", "")
    if not NUMBER.fullmatch(value):
        return None
    return float(value)


def clamp(fraction: float) -> float:
    return round(max(0.0, min(1.0, fraction)), 7)


def clean_text(raw: object) -> str | None:
    """A typed answer: stripped, None when empty; refused when it is not text or too long."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ResponseError("not text")
    raw = raw.strip()
    if len(raw) > MAX_TEXT_RESPONSE:
        raise ResponseError("too long")
    return raw or None


class Kind(Generic[A, R]):
    """A question kind. ``A`` is the shape of its stored answers, ``R`` of a cleaned response."""

    name: ClassVar[str]  # stored in Question.kind and attempt snapshots
    position: ClassVar[int] = 100  # where the kind is offered in lists of kinds
    label: ClassVar[str]  # lazy_gettext(...)
    graded: ClassVar[bool] = True  # False: a trainer grades it (essay) or there is nothing to grade
    hand_graded: ClassVar[bool] = False  # a trainer grades it: the attempt waits for the grade
    answerable: ClassVar[bool] = True  # False: it asks nothing (no text needed, no mark, never drawn)
    has_options: ClassVar[bool] = False  # options the page may shuffle
    form: ClassVar[type[QuestionForm]] = QuestionForm  # the structured editor
    # The quiz page's answer inputs for one question ``q`` (a ``public_items`` row), as Jinja source.
    page_inputs: ClassVar[str] = ""
    pair_fields: ClassVar[bool] = False  # the page sends one field per pair: q-<question>-<pair>
    gift_order: ClassVar[int] = 100  # the order in which kinds are asked to claim a GIFT block
    gift_opening: ClassVar[str] = "{"
    excel_name: ClassVar[str]  # the 题型 column
    excel_aliases: ClassVar[tuple[str, ...]] = ()  # other 题型 names read as this kind
    excel_options: ClassVar[bool] = False  # whether the row's 选项 columns hold its answers

    # --- the stored answers -------------------------------------------------------------------

    def validate(self, answers: list[A]) -> list[str]:
        """Return what is wrong with the answers (empty when they are fine)."""
        return []

    def answers_of(self, item: SnapshotItem) -> list[A]:
        """A snapshot's answers, of this kind's shape."""
        return cast(list[A], item["answers"])

    def json_answer(self, answer: A) -> dict[str, object]:
        """One answer in the ``export-bank --json`` shape."""
        stored = cast(Answer, answer)  # the kinds with other rows override this
        return {
            "text": stored["text"],
            "fraction": stored["fraction"],
            "feedback": stored.get("feedback", ""),
        }

    # --- the page and grading -----------------------------------------------------------------

    def option_order(self, answers: list[A], shuffle: bool, rng: random.Random) -> list[int]:
        order = list(range(len(answers))) if self.has_options else []
        if shuffle:
            rng.shuffle(order)
        return order

    def public(self, item: SnapshotItem) -> dict[str, object]:
        """What the page may see before the attempt is finished: never a correct answer."""
        return {}

    def field_value(self, fields: MultiDict[str, str], key: str) -> object:
        """The raw response in a page's field ``q-<question>`` (cleaned later by ``clean``)."""
        return fields.get(key)

    def page_value(self, saved: R | None) -> object:
        """A saved response as the page's inputs hold it."""
        return saved

    def clean(self, item: SnapshotItem, raw: object) -> R | None:
        """Turn a submitted value into the stored response; raise ResponseError when it cannot fit."""
        return None

    def grade(self, answers: list[A], response: R | None) -> float | None:
        return None

    def correct_answer(self, answers: list[A]) -> str:
        """Describe the right answer for the review page."""
        return ""

    def describe(self, item: SnapshotItem, response: R | None) -> str:
        """Describe a member's response for the review page."""
        return "" if response is None else str(response)

    def feedback(self, answers: list[A], response: R | None) -> str:
        """The feedback written for the answer the member gave, if any."""
        return ""

    # --- GIFT ---------------------------------------------------------------------------------

    def gift_claims(self, answer_text: str | None) -> bool:
        """Whether a block with this answer text (None: no braces) is of this kind (Moodle's rules,
        asked in ``gift_order``: the first kind claiming a block reads it)."""
        return False

    def read_gift(self, answer_text: str, fmt: TextFormat) -> list[A]:
        """The answers in a block's braces; raise gift_syntax.GiftItemError when they do not fit."""
        return []

    def gift_answer_lines(self, answers: list[A], fmt: str) -> list[str]:
        """One line per answer inside the braces."""
        return []

    def write_gift(self, head: str, answers: list[A], fmt: str, general: str) -> list[str]:
        """The block after its comment lines: ``head`` (title and text), the answers, ``general``
        (the ``####`` general feedback, or "")."""
        lines = [head + self.gift_opening]
        lines.extend("\t" + answer for answer in self.gift_answer_lines(answers, fmt))
        if general:
            lines.append("\t" + general)
        lines.append("}")
        return lines

    # --- Excel --------------------------------------------------------------------------------

    def read_excel(self, options: list[str], answer: str) -> list[A]:
        """The answers of a row from its options (when ``excel_options``) and its 答案 cell; raise
        QuizError when they do not fit."""
        if answer:
            raise QuizError(_("Leave 答案 empty for this question type; put the model answer in 解析."))
        return []

    def write_excel(self, answers: list[A]) -> tuple[list[str], str]:
        """The row's options (at most ``len(LETTERS)``) and its 答案 cell."""
        return [], ""

    # --- the editor ---------------------------------------------------------------------------

    def editor(self, question: Question | None = None) -> QuestionForm:
        """The structured editor: filled from ``question``, else from the posted fields (blank on GET)."""
        if question is not None:
            form = self.form(formdata=None, data=self.form.initial(question))
        else:
            form = self.form()
        if question is not None or not form.is_submitted():
            form.pad_rows()
        return form


AnyKind = Kind[Any, Any]
KINDS: dict[str, AnyKind] = {}


K = TypeVar("K", bound=type[AnyKind])


def register(kind_class: K) -> K:
    """Class decorator: make a kind known by its ``name`` (a later class of the same name replaces it)."""
    KINDS[kind_class.name] = kind_class()
    ordered = sorted(KINDS.values(), key=lambda kind: kind.position)
    KINDS.clear()
    KINDS.update((kind.name, kind) for kind in ordered)
    return kind_class


def unregister(name: str) -> None:
    KINDS.pop(name, None)


def get_kind(name: str) -> AnyKind:
    """The kind called ``name``; KeyError when there is none."""
    return KINDS[name]


def kind_of_gift_block(answer_text: str | None) -> AnyKind:
    """The kind of a GIFT block with this answer text (None: the block has no braces)."""
    for kind in sorted(KINDS.values(), key=lambda kind: kind.gift_order):
        if kind.gift_claims(answer_text):
            return kind
    raise LookupError("no question kind reads this block")  # the fill-in-the-blank kind claims all


def kind_names(test: Callable[[AnyKind], bool]) -> list[str]:
    """The names of the kinds passing ``test`` (for queries such as "the kinds practice may draw")."""
    return [name for name, kind in KINDS.items() if test(kind)]


_page_inputs: "weakref.WeakKeyDictionary[Environment, dict[str, Template]]" = weakref.WeakKeyDictionary()


def page_inputs_template(name: str) -> Template:
    """The compiled ``page_inputs`` of a kind, for ``{% include %}`` on the quiz and practice pages."""
    environment = current_app.jinja_env
    compiled = _page_inputs.setdefault(environment, {})
    if name not in compiled:
        compiled[name] = environment.from_string(get_kind(name).page_inputs)
    return compiled[name]
