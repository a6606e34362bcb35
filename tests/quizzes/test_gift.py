"""GIFT import and export against Moodle's documented rules, the CLI and the import report."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.quizzes.gift import parse_gift, write_gift
from app.quizzes.models import Question, QuestionKind, TextFormat
from app.quizzes.services import banks
from tests.factories.quizzes import make_bank

DOCUMENTED = Path(__file__).parent / "data" / "moodle_documented.gift"


@pytest.fixture
def documented(app):
    with app.app_context():
        result = parse_gift(DOCUMENTED.read_text(encoding="utf-8"))
    assert result.errors == []
    return {question.title: question for question in result.questions}


def test_every_documented_construct_is_read(documented):
    assert len(documented) == 17
    q = documented["单选"]
    assert (q.kind, q.text, q.category) == (QuestionKind.SINGLE, "中国共产党的宗旨是什么？", "党章/总纲")
    assert q.answers[0] == {"text": "全心全意为人民服务", "fraction": 1.0, "feedback": "正确。"}
    assert [a["fraction"] for a in q.answers] == [1.0, 0.0, 0.0]


def test_missing_word_question_keeps_the_text_after_the_braces(documented):
    q = documented["缺词"]
    assert q.text == "中国共产党以马克思列宁主义、毛泽东思想_____等作为自己的行动指南。"
    assert q.kind is QuestionKind.SINGLE


def test_true_false_feedback_follows_moodle_wrong_then_right(documented):
    assert documented["判断 T"].answers[0]["fraction"] == 1.0
    true, false = documented["判断 带反馈"].answers
    assert (true["fraction"], false["fraction"]) == (0.0, 1.0)
    assert true["feedback"] == "预备党员没有表决权。"  # shown to whoever wrongly answers "true"
    assert false["feedback"] == "对，预备党员没有表决权。"


def test_comment_markers_give_id_tags_and_difficulty(documented):
    q = documented["填空 多个答案"]
    assert (q.idnumber, q.tags, q.difficulty) == ("doc-5", ["党史"], 2)
    assert [a["text"] for a in q.answers] == ["1921", "一九二一年"]
    assert q.kind is QuestionKind.SHORTANSWER


def test_matching_pairs_and_general_feedback(documented):
    q = documented["匹配"]
    assert q.answers == [
        {"question": "遵义会议", "answer": "1935"},
        {"question": "古田会议", "answer": "1929"},
        {"question": "八七会议", "answer": "1927"},
    ]
    assert q.general_feedback == "三次会议都是党史上的转折点。"


def test_numerical_tolerance_range_weights_and_wrong_answer_feedback(documented):
    assert documented["数值 误差"].answers == [
        {"text": "3.14", "fraction": 1.0, "feedback": "", "tolerance": 0.005}
    ]
    assert documented["数值 区间"].answers == [
        {"text": "1..5", "fraction": 1.0, "feedback": "", "min": 1.0, "max": 5.0}
    ]
    assert documented["数值 多个答案"].answers == [
        {"text": "13", "fraction": 1.0, "feedback": "正确！", "tolerance": 0.0},
        {"text": "12", "fraction": 0.5, "feedback": "接近：有一位代表常被漏算。", "tolerance": 0.0},
        {"text": "*", "fraction": 0.0, "feedback": "再想想。"},
    ]


def test_weights_without_an_equals_sign_make_a_multiple_choice_question(documented):
    q = documented["多选 权重"]
    assert q.kind is QuestionKind.MULTIPLE
    assert [a["fraction"] for a in q.answers] == [0.5, 0.5, -1.0]


def test_escaped_control_characters_are_literal(documented):
    q = documented["转义"]
    assert q.text == "在 GIFT 中如何写出字符 { } = ~ # : 本身？"
    assert q.answers[0]["text"] == "在前面加反斜杠 \\"


def test_format_markers(documented):
    assert (documented["格式 markdown"].format, documented["格式 markdown"].text) == (
        TextFormat.MARKDOWN,
        "**加粗**的题干",
    )
    html = documented["格式 html"]
    assert (html.format, html.answers[0]["text"]) == (TextFormat.HTML, "<b>对</b>")
    assert documented["格式 plain"].format is TextFormat.PLAIN


def test_multi_line_question_is_one_question(documented):
    q = documented["多行 题目"]
    assert q.text == "这道题\n写在多行上，\n仍然是一道题。"


def test_essay_and_description(documented):
    assert documented["论述"].kind is QuestionKind.ESSAY
    assert documented["论述"].general_feedback == "言之有理即可。"
    assert documented["说明"].kind is QuestionKind.DESCRIPTION


BAD = """::好题::第一题{=对 ~错}

::缺右括号::第二题{=对 ~错

::只有一个选项::第三题{~错}

::数值错::第四题{#abc}

::配对缺箭头::第五题{=甲 -> 1 =乙}

::两个答案块::第六题{=对 ~错} 又一个 {=对 ~错}

::好题二::第七题{T}
"""


def test_every_bad_item_is_reported_with_its_line(app):
    with app.app_context():
        result = parse_gift(BAD)
    assert [q.title for q in result.questions] == ["好题", "好题二"]
    assert [line for line, _message in result.errors] == [3, 5, 7, 9, 11]


def test_import_keeps_good_items_and_reports_bad_ones(app):
    with app.app_context():
        bank = make_bank()
        report = banks.import_gift(bank, BAD)
        assert report.created == 2 and len(report.errors) == 5
        assert db.session.scalar(select(func.count(Question.id))) == 2


def test_strict_cli_import_writes_nothing_and_fails(app, runner, tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text(BAD, encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(path), "--bank", "严格", "--strict"])
    assert result.exit_code != 0
    assert "line 3:" in result.output and "line 11:" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 0


def test_cli_import_then_json_export_has_exactly_the_issue_fields(app, runner):
    result = runner.invoke(args=["quizzes", "import-gift", str(DOCUMENTED), "--bank", "文档示例", "--strict"])
    assert result.exit_code == 0, result.output
    assert "imported 17 question(s)" in result.output
    exported = runner.invoke(args=["quizzes", "export-bank", "文档示例", "--json"])
    assert exported.exit_code == 0
    questions = json.loads(exported.output)
    assert len(questions) == 17
    fields = {"type", "category", "title", "text", "format", "general_feedback", "answers"}
    assert all(set(question) == fields for question in questions)
    by_title = {question["title"]: question for question in questions}
    assert by_title["数值 误差"]["answers"] == [
        {"text": "3.14", "fraction": 1.0, "feedback": "", "tolerance": 0.005}
    ]
    assert by_title["数值 区间"]["answers"][0] | {} == {
        "text": "1..5",
        "fraction": 1.0,
        "feedback": "",
        "min": 1.0,
        "max": 5.0,
    }
    assert by_title["匹配"]["answers"][0] == {"question": "遵义会议", "answer": "1935"}
    assert by_title["判断 带反馈"]["answers"] == [
        {"text": "true", "fraction": 0.0, "feedback": "预备党员没有表决权。"},
        {"text": "false", "fraction": 1.0, "feedback": "对，预备党员没有表决权。"},
    ]
    assert {q["type"] for q in questions} == {kind.value for kind in QuestionKind}
    assert by_title["单选"]["category"] == "党章/总纲"


def test_bank_exported_as_gift_imports_back_to_the_same_questions(app, runner, tmp_path):
    runner.invoke(args=["quizzes", "import-gift", str(DOCUMENTED), "--bank", "甲"])
    exported = runner.invoke(args=["quizzes", "export-bank", "甲"])
    path = tmp_path / "again.gift"
    path.write_text(exported.output, encoding="utf-8")
    assert (
        runner.invoke(args=["quizzes", "import-gift", str(path), "--bank", "乙", "--strict"]).exit_code == 0
    )
    first = runner.invoke(args=["quizzes", "export-bank", "甲", "--json"]).output
    second = runner.invoke(args=["quizzes", "export-bank", "乙", "--json"]).output
    assert json.loads(first) == json.loads(second)
    assert "[id:doc-5] [tag:党史] [difficulty:2]" in exported.output


def test_untitled_questions_are_named_after_their_text(app):
    with app.app_context():
        bank = make_bank()
        banks.import_gift(bank, "党的根本组织原则是什么？{=民主集中制}")
        assert db.session.scalar(select(Question.title)) == "党的根本组织原则是什么？"


def test_writer_escapes_what_the_reader_would_take_as_syntax(app):
    with app.app_context():
        bank = make_bank()
        banks.import_gift(bank, "::a\\:b::x \\= y {=1\\#2#fb \\{ \\} ~z}")
        text = write_gift(banks.bank_questions(bank))
        again = parse_gift(text)
    assert again.errors == []
    q = again.questions[0]
    assert (q.title, q.text, q.answers[0]["text"], q.answers[0]["feedback"]) == (
        "a:b",
        "x = y",
        "1#2",
        "fb { }",
    )
