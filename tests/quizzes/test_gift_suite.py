"""Every file of the third-party GIFT suite reads as its expected parse, and writes back unchanged.

The expected parses come from fuhrmanator/GIFT-grammar-PEG.js (../shared/gift/README.md). Where that
project and Moodle's importer differ, we follow Moodle, and the mapping below says so:

- true/false feedback: Moodle gives the first ``#feedback`` to a wrong answer and the second to the
  right one; that project names them by position ("trueFeedback", "falseFeedback") instead;
- line breaks: Moodle keeps the lines of a multi-line question; that project folds them into
  spaces, so texts are compared with runs of white space folded;
- missing-word blanks: Moodle replaces the braces by "_____" exactly, so "{…}." gives "_____."
  where that project gives "_____ .".
"""

import json
import re
from pathlib import Path

import pytest

from app.quizzes.gift import category_path_from_gift, parse_gift, write_gift
from app.quizzes.models import QuestionKind

SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "gift" / "fuhrmanator-GIFT-grammar-PEG.js"
QUESTIONS = SUITE / "tests" / "questions"
FILES = sorted(QUESTIONS.glob("*.gift")) if QUESTIONS.is_dir() else []

pytestmark = pytest.mark.skipif(
    not FILES,
    reason=f"the third-party GIFT suite is not present at {QUESTIONS} (see ../shared/gift/README.md)",
)


def fold(text: str | None) -> str:
    text = " ".join((text or "").split())
    return re.sub(r"_____ (?=[.,;:?!])", "_____", text)


def _formatted(value, default: str) -> tuple[str, str]:
    if value is None:
        return "", default
    return fold(value["text"]), value["format"]


def _choice(choice: dict, fraction: float, fmt: str) -> dict:
    text, answer_format = _formatted(choice["text"], fmt)
    answer = {
        "text": text,
        "fraction": round(fraction, 7),
        "feedback": _formatted(choice["feedback"], fmt)[0],
    }
    if answer_format != fmt:
        answer["format"] = answer_format
    return answer


def _numerical_answer(value: dict, fraction: float, feedback: str) -> dict:
    fraction = round(fraction, 7)
    if value.get("text") == "*":
        return {"text": "*", "fraction": fraction, "feedback": feedback}
    if value["type"] == "high-low":
        return {
            "min": value["numberLow"],
            "max": value["numberHigh"],
            "fraction": fraction,
            "feedback": feedback,
        }
    return {
        "number": value["number"],
        "tolerance": value.get("range", 0),
        "fraction": fraction,
        "feedback": feedback,
    }


def expected_question(item: dict, category: str) -> dict:
    """Map one question of that project's JSON onto our shape."""
    text, fmt = _formatted(item["stem"], "moodle")
    general = _formatted(item.get("globalFeedback"), fmt)[0]
    kind_name = item["type"]
    if kind_name == "MC":
        single = any(choice["isCorrect"] for choice in item["choices"])
        kind = QuestionKind.SINGLE if single else QuestionKind.MULTIPLE
        answers = [
            _choice(c, 1.0 if c["isCorrect"] else (c["weight"] or 0) / 100, fmt) for c in item["choices"]
        ]
    elif kind_name == "Short":
        kind = QuestionKind.SHORTANSWER
        answers = [
            _choice(c, 1.0 if c["weight"] is None else c["weight"] / 100, fmt) for c in item["choices"]
        ]
    elif kind_name == "TF":
        kind = QuestionKind.TRUEFALSE
        first, second = (_formatted(item[key], fmt)[0] for key in ("trueFeedback", "falseFeedback"))
        wrong, right = first, second  # Moodle's order: wrong answer's feedback first
        correct = item["isTrue"]
        answers = [
            {"text": "true", "fraction": 1.0 if correct else 0.0, "feedback": right if correct else wrong},
            {"text": "false", "fraction": 0.0 if correct else 1.0, "feedback": wrong if correct else right},
        ]
    elif kind_name == "Numerical":
        kind = QuestionKind.NUMERICAL
        if isinstance(item["choices"], dict):
            answers = [_numerical_answer(item["choices"], 1.0, "")]
        else:
            answers = [
                _numerical_answer(
                    c["text"],
                    1.0 if c["weight"] is None and c["isCorrect"] else (c["weight"] or 0) / 100,
                    _formatted(c["feedback"], fmt)[0],
                )
                for c in item["choices"]
            ]
    elif kind_name == "Matching":
        kind = QuestionKind.MATCHING
        answers = [
            {"question": fold(pair["subquestion"]["text"]), "answer": fold(pair["subanswer"])}
            for pair in item["matchPairs"]
        ]
    elif kind_name == "Essay":
        kind, answers = QuestionKind.ESSAY, []
    else:
        assert kind_name == "Description", kind_name
        kind, answers = QuestionKind.DESCRIPTION, []
    return {
        "kind": kind,
        "title": item["title"] or "",
        "text": text,
        "format": fmt,
        "general_feedback": general,
        "answers": answers,
        "category": category,
        "idnumber": item.get("id"),
        "tags": item.get("tags") or [],
    }


def ours(question) -> dict:
    """Our parse in the same shape, with texts folded the same way."""
    answers = []
    for answer in question.answers:
        if question.kind is QuestionKind.MATCHING:
            answers.append({"question": fold(answer["question"]), "answer": fold(answer["answer"])})
        elif question.kind is QuestionKind.NUMERICAL:
            common = {"fraction": answer["fraction"], "feedback": fold(answer["feedback"])}
            if answer["text"] == "*":
                answers.append({"text": "*", **common})
            elif "min" in answer:
                answers.append({"min": answer["min"], "max": answer["max"], **common})
            else:
                answers.append({"number": float(answer["text"]), "tolerance": answer["tolerance"], **common})
        else:
            folded = {
                "text": fold(answer["text"]),
                "fraction": answer["fraction"],
                "feedback": fold(answer["feedback"]),
            }
            if "format" in answer:
                folded["format"] = answer["format"]
            answers.append(folded)
    return {
        "kind": question.kind,
        "title": question.title,
        "text": fold(question.text),
        "format": question.format.value,
        "general_feedback": fold(question.general_feedback),
        "answers": answers,
        "category": question.category,
        "idnumber": question.idnumber,
        "tags": question.tags,
    }


def expected_file(path: Path) -> list[dict]:
    expected, category = [], ""
    for item in json.loads(path.with_suffix(".json").read_text(encoding="utf-8")):
        if item["type"] == "Category":
            category = category_path_from_gift(item["title"])
        else:
            expected.append(expected_question(item, category))
    return expected


def test_the_suite_has_all_51_files():
    assert len(FILES) == 51


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_gift_file_reads_as_its_expected_parse(app, path):
    with app.app_context():
        result = parse_gift(path.read_text(encoding="utf-8"))
    assert result.errors == []
    assert [ours(question) for question in result.questions] == expected_file(path)


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_gift_file_round_trips_through_export(app, path):
    with app.app_context():
        first = parse_gift(path.read_text(encoding="utf-8"))
        again = parse_gift(write_gift(first.questions))
    assert again.errors == []
    strip = lambda questions: [{**vars(q), "line": 0} for q in questions]  # noqa: E731
    assert strip(again.questions) == strip(first.questions)
