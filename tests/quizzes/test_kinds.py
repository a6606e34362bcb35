"""Each question kind grades a response on the server."""

import pytest

from app.quizzes.kinds import KINDS, ResponseError, get_kind, normalise_text
from app.quizzes.models import QuestionKind

CHOICES = [
    {"text": "政治纪律", "fraction": 0.5, "feedback": "对"},
    {"text": "组织纪律", "fraction": 0.5, "feedback": ""},
    {"text": "作息纪律", "fraction": -0.5, "feedback": "不是党的纪律"},
    {"text": "饮食纪律", "fraction": -0.5, "feedback": ""},
]


def test_every_kind_is_registered():
    assert set(KINDS) == set(QuestionKind)


@pytest.mark.parametrize(
    ("chosen", "fraction"),
    [
        ([0, 1], 1.0),
        ([0], 0.5),
        ([0, 2], 0.0),
        ([0, 1, 2], 0.5),
        ([0, 1, 2, 3], 0.0),
        ([2], 0.0),
        (None, 0.0),
    ],
)
def test_multiple_choice_partial_credit_adds_weights_between_zero_and_full(chosen, fraction):
    assert get_kind("multiple").grade(CHOICES, chosen) == fraction


@pytest.mark.parametrize(
    ("accepted", "typed"),
    [
        ("1921", "１９２１"),
        ("No one", "  no   ONE "),
        ("中国共产党", "中国 共产党"),
        ("ＡＢＣ", "abc"),
        ("党*", "党员"),
    ],
)
def test_fill_in_the_blank_folds_width_case_and_spaces(accepted, typed):
    answers = [{"text": accepted, "fraction": 1.0, "feedback": ""}]
    assert get_kind("shortanswer").grade(answers, typed) == 1.0


def test_fill_in_the_blank_takes_the_best_of_several_answers():
    answers = [
        {"text": "Nazareth", "fraction": 1.0, "feedback": ""},
        {"text": "Nazereth", "fraction": 0.75, "feedback": ""},
    ]
    kind = get_kind("shortanswer")
    assert kind.grade(answers, "nazereth") == 0.75
    assert kind.grade(answers, "Bethlehem") == 0.0
    assert normalise_text("Ｈｅｌｌｏ　World") == "hello world"


@pytest.mark.parametrize(
    ("typed", "fraction"),
    [("3.14", 1.0), ("3.145", 1.0), ("3.146", 0.0), ("３．１４", 1.0), ("pi", None), ("", 0.0)],
)
def test_numerical_tolerance(typed, fraction):
    item = {"answers": [{"text": "3.14", "fraction": 1.0, "feedback": "", "tolerance": 0.005}]}
    kind = get_kind("numerical")
    if fraction is None:
        with pytest.raises(ResponseError):
            kind.clean(item, typed)
    else:
        assert kind.grade(item["answers"], kind.clean(item, typed)) == fraction


def test_numerical_range_and_wildcard_feedback():
    answers = [
        {"text": "1..5", "fraction": 1.0, "feedback": "好", "min": 1.0, "max": 5.0},
        {"text": "*", "fraction": 0.0, "feedback": "再想想"},
    ]
    kind = get_kind("numerical")
    assert [kind.grade(answers, v) for v in ("1", "5", "5.01", "-1")] == [1.0, 1.0, 0.0, 0.0]
    assert kind.feedback(answers, "9") == "再想想"


def test_matching_gives_a_share_per_right_pair_and_refuses_unknown_answers():
    answers = [
        {"question": "遵义会议", "answer": "1935"},
        {"question": "古田会议", "answer": "1929"},
        {"question": "", "answer": "1921"},
    ]
    kind = get_kind("matching")
    item = {"answers": answers, "order": [0, 1, 2]}
    assert kind.grade(answers, kind.clean(item, {"0": "1935", "1": "1921"})) == 0.5
    assert kind.public(item)["choices"] == ["1921", "1929", "1935"]
    with pytest.raises(ResponseError):
        kind.clean(item, {"0": "2000"})
    with pytest.raises(ResponseError):
        kind.clean(item, {"7": "1935"})


def test_true_false_and_single_choice_refuse_values_that_are_not_options():
    truefalse = [
        {"text": "true", "fraction": 0.0, "feedback": "错"},
        {"text": "false", "fraction": 1.0, "feedback": ""},
    ]
    kind = get_kind("truefalse")
    assert kind.grade(truefalse, kind.clean({}, "false")) == 1.0
    assert kind.feedback(truefalse, True) == "错"
    with pytest.raises(ResponseError):
        kind.clean({}, "maybe")
    with pytest.raises(ResponseError):
        get_kind("single").clean({"answers": CHOICES}, "9")


def test_public_view_carries_no_weight_or_feedback():
    item = {"answers": CHOICES, "order": [3, 1, 0, 2]}
    public = get_kind("multiple").public(item)
    assert public == {"options": [{"id": i, "text": CHOICES[i]["text"]} for i in (3, 1, 0, 2)]}


def test_essays_wait_for_a_trainer():
    assert get_kind("essay").graded is False
    assert get_kind("essay").grade([], "体会") is None
