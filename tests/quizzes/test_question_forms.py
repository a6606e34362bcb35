"""The structured question editor: each kind's form stores and exports what the same GIFT would."""

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db
from app.quizzes.models import Attempt, Question, QuestionBank
from app.quizzes.services import attempts, banks
from tests.factories.auth import make_user
from tests.factories.quizzes import make_bank, make_quiz, single, user
from tests.web import csrf_token


class FormFields(HTMLParser):
    """The fields the question form would send as a browser sends them (submit buttons left out)."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._inside = False
        self._textarea: str | None = None
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = attrs.get("data-testid") == "question-form"
        if not self._inside:
            return
        if tag == "input" and attrs.get("type") not in ("submit", "radio"):
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "input" and attrs.get("type") == "radio" and "checked" in attrs:
            self.fields[attrs["name"]] = attrs["value"]
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and "selected" in attrs:
            self.fields[self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            # Browsers drop the one line break that follows <textarea>.
            start = not self.fields[self._textarea]
            self.fields[self._textarea] += data.removeprefix("\r\n").removeprefix("\n") if start else data


def page_fields(client, url: str) -> dict[str, str]:
    return FormFields(client.get(url).get_data(as_text=True)).fields


COMMON = {"title": "", "category": "党章", "text": "", "format": "moodle", "general_feedback": ""}

# (kind, what the trainer types, the GIFT block it must export as)
CASES = [
    (
        "single",
        {
            "title": "宗旨",
            "text": "党的根本宗旨是什么？",
            "general_feedback": "见党章总纲。",
            "tags": "党章，宗旨",
            "idnumber": "Q1",
            "difficulty": "2",
            "rows-0-text": "全心全意为人民服务",
            "rows-0-fraction": "100",
            "rows-0-feedback": "正确",
            "rows-1-text": "为人民谋幸福",
            "rows-2-text": " ",
        },
        "// [id:Q1] [tag:党章] [tag:宗旨] [difficulty:2]\n"
        "::宗旨::党的根本宗旨是什么？{\n\t=全心全意为人民服务#正确\n\t~为人民谋幸福\n\t####见党章总纲。\n}",
    ),
    (
        "multiple",
        {
            "title": "纪律",
            "text": "党的纪律包括哪些？",
            "rows-0-text": "政治纪律",
            "rows-0-fraction": "50",
            "rows-1-text": "组织纪律",
            "rows-1-fraction": "50%",
            "rows-2-text": "作息纪律",
            "rows-2-fraction": "-50",
            "rows-2-feedback": "不是党的纪律",
        },
        "::纪律::党的纪律包括哪些？{\n\t~%50%政治纪律\n\t~%50%组织纪律\n\t~%-50%作息纪律#不是党的纪律\n}",
    ),
    (
        "truefalse",
        {
            "title": "判断",
            "text": "党员没有选举权。",
            "correct": "false",
            "true_feedback": "党章规定党员有选举权。",
            "false_feedback": "对，党员有选举权。",
        },
        "::判断::党员没有选举权。{FALSE#党章规定党员有选举权。#对，党员有选举权。}",
    ),
    (
        "shortanswer",
        {
            "title": "一大",
            "text": "中国共产党第一次全国代表大会于_____年召开。",
            "rows-0-text": "1921",
            "rows-1-text": "一九二一",
            "rows-2-text": "1920",
            "rows-2-fraction": "0",
            "rows-2-feedback": "差一年",
        },
        "::一大::中国共产党第一次全国代表大会于_____年召开。{\n\t=%100%1921\n\t=%100%一九二一\n\t=%0%1920#差一年\n}",
    ),
    (
        "numerical",
        {
            "title": "十九大",
            "text": "党的十九大于哪一年召开？",
            "rows-0-text": "2017",
            "rows-1-text": "3.14",
            "rows-1-tolerance": "0.01",
            "rows-1-fraction": "0",
            "rows-1-feedback": "这是圆周率",
            "rows-2-minimum": "2016",
            "rows-2-maximum": "2018",
            "rows-2-fraction": "50",
            "rows-2-feedback": "接近",
            "other_feedback": "再想想",
        },
        "::十九大::党的十九大于哪一年召开？{#\n\t=%100%2017:0\n\t=%0%3.14:0.01#这是圆周率\n"
        "\t=%50%2016..2018#接近\n\t~#再想想\n}",
    ),
    (
        "matching",
        {
            "title": "会议",
            "text": "将会议与年份配对。",
            "rows-0-question": "遵义会议",
            "rows-0-answer": "1935年",
            "rows-1-question": "古田会议",
            "rows-1-answer": "1929年",
            "rows-2-answer": "1921年",
        },
        "::会议::将会议与年份配对。{\n\t=遵义会议 -> 1935年\n\t=古田会议 -> 1929年\n\t= -> 1921年\n}",
    ),
    (
        "essay",
        {
            "title": "体会",
            "text": "谈谈你对“不忘初心”的理解。\r\n结合实际。",
            "format": "markdown",
            "general_feedback": "言之有理即可。",
        },
        "::体会::[markdown]谈谈你对“不忘初心”的理解。\\n结合实际。{####言之有理即可。}",
    ),
    (
        "description",
        {"title": "说明", "text": "以下题目考查党章知识: {不计分}"},
        "::说明::以下题目考查党章知识\\: \\{不计分\\}",
    ),
]
IDS = [case[0] for case in CASES]
COMPARED = (
    "kind",
    "title",
    "text",
    "format",
    "general_feedback",
    "answers",
    "tags",
    "idnumber",
    "difficulty",
    "mark",
)


def stored(question: Question) -> dict:
    return {name: getattr(question, name) for name in COMPARED}


def post(client, url: str, fields: dict, page: str | None = None):
    return client.post(url, data={"csrf_token": csrf_token(client, page or url), **fields})


def new_url(bank_id: int, kind: str) -> str:
    return f"/quizzes/banks/{bank_id}/questions/new?kind={kind}"


@pytest.fixture
def bank_id(app, people):
    with app.app_context():
        return make_bank("表单题库").id


@pytest.mark.parametrize(("kind", "typed", "expected"), CASES, ids=IDS)
def test_a_question_written_in_the_form_is_stored_and_exported_as_if_typed_in_gift(
    app, client, auth, bank_id, kind, typed, expected
):
    auth.login("trainer")
    response = post(client, new_url(bank_id, kind), COMMON | typed)
    assert response.status_code == 302, re.findall(r'class="error">([^<]*)', response.get_data(as_text=True))
    assert response.headers["Location"].endswith(f"/quizzes/banks/{bank_id}")
    with app.app_context():
        [question] = banks.bank_questions(db.session.get(QuestionBank, bank_id))
        assert question.category.path == "党章"
        assert banks.export_gift(question.category.bank) == f"$CATEGORY: $course$/top/党章\n\n{expected}\n"
        typed_bank = banks.create_bank("手写题库", None)
        assert banks.import_gift(typed_bank, expected).created == 1
        [typed_question] = banks.bank_questions(typed_bank)
        assert stored(question) == stored(typed_question)


@pytest.mark.parametrize(("kind", "typed", "expected"), CASES, ids=IDS)
def test_editing_in_the_form_shows_the_question_and_saving_it_unchanged_changes_nothing(
    app, client, auth, bank_id, kind, typed, expected
):
    with app.app_context():
        bank = db.session.get(QuestionBank, bank_id)
        banks.import_gift(bank, f"$CATEGORY: 党章\n\n{expected}\n")
        question_id = banks.bank_questions(bank)[0].id
        before = stored(db.session.get(Question, question_id))
    auth.login("trainer")
    url = f"/quizzes/questions/{question_id}/edit"
    fields = page_fields(client, url)
    assert fields["title"] == typed["title"] and fields["category"] == "党章"
    assert post(client, url, fields).status_code == 302
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert stored(question) == before
        assert banks.export_gift(question.category.bank) == f"$CATEGORY: $course$/top/党章\n\n{expected}\n"


def test_a_trainer_edits_an_option_and_moves_the_question_in_the_form(app, client, auth, bank_id):
    with app.app_context():
        question_id = banks.add_question(db.session.get(QuestionBank, bank_id), single()).id
    auth.login("trainer")
    url = f"/quizzes/questions/{question_id}/edit"
    fields = page_fields(client, url)
    assert [fields[f"rows-{i}-text"] for i in range(3)] == ["实现共产主义", "全面建成小康社会", "实现现代化"]
    assert (fields["rows-0-fraction"], fields["rows-1-fraction"]) == ("100", "0")
    fields |= {
        "rows-2-text": "实现中华民族伟大复兴",
        "rows-2-feedback": "这是新时代的使命",
        "category": "党章/总纲",
    }
    assert post(client, url, fields).status_code == 302
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert question.category.path == "党章/总纲"
        assert question.answers[2] == {
            "text": "实现中华民族伟大复兴",
            "fraction": 0.0,
            "feedback": "这是新时代的使命",
        }
        assert "~实现中华民族伟大复兴#这是新时代的使命" in banks.question_gift(question)


BAD_EDITS = [
    ("no option worth full marks", {"rows-0-fraction": "50"}, None),
    ("a grade that is not a number", {"rows-1-fraction": "abc"}, ("2", "abc")),
    ("a grade beyond 100", {"rows-1-fraction": "150"}, ("2", "150")),
    ("feedback without an answer", {"rows-3-feedback": "孤立的反馈"}, ("4",)),
    (
        "only one option left",
        {
            "rows-1-text": "",
            "rows-1-fraction": "",
            "rows-1-feedback": "",
            "rows-2-text": "",
            "rows-2-fraction": "",
        },
        None,
    ),
]


@pytest.mark.parametrize(
    ("change", "expected_in_row_error"), [case[1:] for case in BAD_EDITS], ids=[c[0] for c in BAD_EDITS]
)
def test_a_bad_edit_says_what_is_wrong_and_changes_nothing(
    app, client, auth, bank_id, change, expected_in_row_error
):
    with app.app_context():
        question_id = banks.add_question(db.session.get(QuestionBank, bank_id), single()).id
        before = stored(db.session.get(Question, question_id))
    auth.login("trainer")
    url = f"/quizzes/questions/{question_id}/edit"
    response = post(client, url, page_fields(client, url) | change)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    if expected_in_row_error:
        [row_errors] = re.findall(r'data-testid="row-errors">(.*?)</ul>', html, re.S)
        assert all(text in row_errors for text in expected_in_row_error)
    else:
        assert "flash-error" in html  # the question as a whole: said by the same rule as GIFT's
    assert FormFields(html).fields["rows-0-text"] == "实现共产主义"  # what was typed is still there
    with app.app_context():
        assert stored(db.session.get(Question, question_id)) == before


BAD_NEW = [
    ("numerical", {"rows-0-minimum": "5", "rows-0-maximum": "1"}, "1"),
    ("numerical", {"rows-0-text": "2017", "rows-0-minimum": "2016", "rows-0-maximum": "2018"}, "1"),
    ("numerical", {"rows-0-text": "二〇一七"}, "二〇一七"),
    ("numerical", {"rows-0-text": "2017", "rows-0-tolerance": "一点"}, "一点"),
    ("numerical", {"rows-0-minimum": "2016"}, "1"),
    (
        "matching",
        {"rows-0-question": "遵义会议", "rows-1-question": "古田会议", "rows-1-answer": "1929年"},
        "1",
    ),
    ("shortanswer", {"rows-0-fraction": "100"}, "1"),
]


@pytest.mark.parametrize(("kind", "typed", "named"), BAD_NEW)
def test_a_bad_new_question_names_its_row_and_stores_nothing(app, client, auth, bank_id, kind, typed, named):
    auth.login("trainer")
    response = post(client, new_url(bank_id, kind), COMMON | {"text": "题目"} | typed)
    assert response.status_code == 200
    [row_errors] = re.findall(r'data-testid="row-errors">(.*?)</ul>', response.get_data(as_text=True), re.S)
    assert named in row_errors
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 0


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("truefalse", {}),  # neither true nor false chosen
        ("single", {"rows-0-text": "甲", "rows-1-text": "乙"}),  # no right option
        ("matching", {"rows-0-question": "甲", "rows-0-answer": "一"}),  # one pair only
        ("essay", {"text": "  "}),  # no text
    ],
)
def test_a_new_question_that_breaks_its_kind_s_rule_is_refused(app, client, auth, bank_id, kind, typed):
    auth.login("trainer")
    response = post(client, new_url(bank_id, kind), COMMON | {"text": "题目"} | typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and ("flash-error" in html or 'class="error"' in html)
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 0


def test_more_rows_keeps_what_was_typed_and_saves_nothing(app, client, auth, bank_id):
    auth.login("trainer")
    url = new_url(bank_id, "single")
    blank = page_fields(client, url)
    assert sum(1 for name in blank if name.endswith("-text")) == 4
    response = post(client, url, blank | {"text": "题目", "rows-0-text": "甲", "more_rows": "y"})
    fields = FormFields(response.get_data(as_text=True)).fields
    assert sum(1 for name in fields if name.endswith("-text")) == 6
    assert (fields["text"], fields["rows-0-text"]) == ("题目", "甲")
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 0


def test_an_edit_leaves_started_attempts_as_they_were(app, client, auth, people):
    with app.app_context():
        quiz = make_quiz([single()])
        started = attempts.start_attempt(quiz, user(people["member"]))
        attempt_id, question_id, before = started.id, quiz.slots[0].question_id, started.snapshot
    auth.login("trainer")
    url = f"/quizzes/questions/{question_id}/edit"
    post(client, url, page_fields(client, url) | {"text": "改过的题目", "rows-0-text": "改过的选项"})
    with app.app_context():
        assert db.session.get(Question, question_id).text == "改过的题目"
        assert db.session.get(Attempt, attempt_id).snapshot == before  # the member answers what they saw
        later = attempts.start_attempt(db.session.get(Attempt, attempt_id).quiz, user(people["other"]))
        assert later.snapshot[0]["text"] == "改过的题目"


def test_the_editors_are_the_owner_s_only(app, client, auth, people, bank_id):
    with app.app_context():
        question_id = banks.add_question(db.session.get(QuestionBank, bank_id), single()).id
        make_user("trainer2", (Role.TRAINER,), "甲党委")
    urls = [new_url(bank_id, "single"), f"/quizzes/questions/{question_id}/edit"]
    for username, status in (("trainer2", 404), ("member", 403)):
        auth.login(username)
        token = csrf_token(client, "/")
        assert [client.get(url).status_code for url in urls] == [status, status]
        for url in [*urls, f"/quizzes/questions/{question_id}/gift"]:
            data = {
                "csrf_token": token,
                "text": "别人的题",
                "source": "::x::别人的题{T}",
                "rows-0-text": "甲",
            }
            assert client.post(url, data=data).status_code == status
        auth.logout()
    with app.app_context():
        assert db.session.get(Question, question_id).text == "中国共产党的最高理想和最终目标是什么？"
        assert db.session.scalar(select(func.count(Question.id))) == 1


def test_an_unknown_kind_is_not_found_and_the_bank_page_offers_every_kind(app, client, auth, bank_id):
    auth.login("trainer")
    assert client.get(new_url(bank_id, "poem")).status_code == 404
    page = client.get(f"/quizzes/banks/{bank_id}").get_data(as_text=True)
    assert (
        len(
            re.findall(
                r'<option value="(single|multiple|truefalse|shortanswer|numerical|matching|essay|description)"',
                page,
            )
        )
        == 8
    )
