"""A question kind is one module: registered here (as a module of app/quizzes/kinds would be), it is
read and written in GIFT and Excel, edited, answered on the quiz page and graded, with no other
module changed (docs/architecture.md, "How to add a question kind")."""

import re

import pytest
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from app.extensions import db
from app.quizzes.answers import Answer, SnapshotItem
from app.quizzes.data import QuestionData
from app.quizzes.editor import QuestionForm, clean_typed
from app.quizzes.errors import QuizError
from app.quizzes.gift import parse_gift, write_gift
from app.quizzes.gift_syntax import escape, escape_post
from app.quizzes.kinds import KINDS, Kind, clean_text, register, unregister
from app.quizzes.models import Question, TextFormat
from app.quizzes.services import banks
from tests.factories.quizzes import make_bank, make_quiz
from tests.quizzes.test_pages import page_state, snapshot_ids, start
from tests.web import csrf_token


class ExactForm(QuestionForm):
    layout = "fields"
    answer_fields = ("word",)
    word = StringField("The exact word")

    @classmethod
    def initial(cls, question: Question) -> dict[str, object]:
        return super().initial(question) | {"word": question.answers[0]["text"]}

    def read_answers(self) -> list[Answer]:  # type: ignore[override]
        word = clean_typed(self.word.data)
        if not word:
            self.problem(1, "write the word")
        return [{"text": word, "fraction": 1.0, "feedback": ""}]


class Exact(Kind[Answer, str]):
    """A throwaway kind: the member types one word, exactly (GIFT ``{!word}``, Excel 精确题)."""

    name = "exact"
    label = _l("Exact word")
    form = ExactForm
    page_inputs = (
        '<input type="text" name="q-{{ q.id }}" value="{{ q.saved or \'\' }}" data-testid="exact">\n'
    )
    gift_order = 5  # before Moodle's kinds: "!" means nothing to them
    excel_name = "精确题"

    def validate(self, answers: list[Answer]) -> list[str]:
        return [] if len(answers) == 1 and answers[0]["text"] else ["one word"]

    def clean(self, item: SnapshotItem, raw: object) -> str | None:
        return clean_text(raw)

    def grade(self, answers: list[Answer], response: str | None) -> float:
        return 1.0 if response == answers[0]["text"] else 0.0

    def correct_answer(self, answers: list[Answer]) -> str:
        return answers[0]["text"]

    def gift_claims(self, answer_text: str | None) -> bool:
        return answer_text is not None and answer_text.startswith("!")

    def read_gift(self, answer_text: str, fmt: TextFormat) -> list[Answer]:
        return [{"text": escape_post(answer_text[1:]).strip(), "fraction": 1.0, "feedback": ""}]

    def write_gift(self, head: str, answers: list[Answer], fmt: str, general: str) -> list[str]:
        return [head + "{!" + escape(answers[0]["text"]) + general + "}"]

    def read_excel(self, options: list[str], answer: str) -> list[Answer]:
        if not answer:
            raise QuizError("the word goes in 答案")
        return [{"text": answer, "fraction": 1.0, "feedback": ""}]

    def write_excel(self, answers: list[Answer]) -> tuple[list[str], str]:
        return [], answers[0]["text"]


GIFT = """$CATEGORY: $course$/top/党章

::入党誓词::誓词的第一个词是 {!我志愿####入党誓词以“我志愿”开头。}

::宗旨::党的宗旨是全心全意为人民服务。{T}
"""


@pytest.fixture
def exact_kind():
    register(Exact)
    yield KINDS["exact"]
    unregister("exact")


def test_a_kind_in_one_module_round_trips_through_gift_and_excel(app, people, exact_kind):
    parsed = parse_gift(GIFT)
    assert parsed.errors == []
    exact, truefalse = parsed.questions
    assert (exact.kind, exact.answers[0]["text"], exact.text) == ("exact", "我志愿", "誓词的第一个词是")
    assert exact.general_feedback == "入党誓词以“我志愿”开头。"
    assert truefalse.kind == "truefalse"  # Moodle's kinds read as before
    assert write_gift(parse_gift(write_gift(parsed.questions)).questions) == write_gift(parsed.questions)

    with app.app_context():
        bank = make_bank("精确题库")
        assert banks.import_gift(bank, GIFT, strict=True).created == 2
        stored = banks.bank_questions(bank)
        assert [question.kind for question in stored] == ["exact", "truefalse"]
        assert banks.export_gift(bank) == write_gift(parsed.questions)
        assert banks.question_json(stored[0])["type"] == "exact"

        copy = make_bank("精确题库副本")
        report = banks.import_excel(copy, banks.export_excel(bank))
        assert report.errors == []
        copied = banks.bank_questions(copy)
        assert [(q.kind, q.text, q.answers) for q in copied] == [(q.kind, q.text, q.answers) for q in stored]


def test_a_kind_in_one_module_is_edited_answered_and_graded(app, client, auth, people, exact_kind):
    with app.app_context():
        bank_id = make_bank("精确题库").id
    auth.login("trainer")
    form_page = client.get(f"/quizzes/banks/{bank_id}/questions/new?kind=exact")
    assert form_page.status_code == 200 and 'name="word"' in form_page.get_data(as_text=True)
    saved = client.post(
        f"/quizzes/banks/{bank_id}/questions/new?kind=exact",
        data={
            "csrf_token": csrf_token(client, f"/quizzes/banks/{bank_id}/questions/new?kind=exact"),
            "text": "誓词的第一个词是",
            "format": "moodle",
            "word": "我志愿",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        question = db.session.scalars(db.select(Question).where(Question.kind == "exact")).one()
        assert question.answers == [{"text": "我志愿", "fraction": 1.0, "feedback": ""}]
        quiz_id = make_quiz([QuestionData(kind="exact", text=question.text, answers=question.answers)]).id

    auth.login("member")
    attempt_id = start(client, quiz_id)
    (question_id,) = snapshot_ids(app, attempt_id)
    html, revision, token = page_state(client, attempt_id)
    assert re.search(rf'<input type="text" name="q-{question_id}" value="" data-testid="exact">', html)
    client.post(
        f"/quizzes/attempts/{attempt_id}/submit",
        data={"csrf_token": token, "revision": revision, f"q-{question_id}": "我志愿"},
    )
    review = client.get(f"/quizzes/attempts/{attempt_id}/review").get_data(as_text=True)
    assert 'data-testid="score">1.0 / 1.0' in review
