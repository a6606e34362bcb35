"""Builders for question banks, quizzes and attempts, committing through the real services."""

from datetime import datetime

from app.auth.models import User
from app.extensions import db
from app.quizzes.data import QuestionData
from app.quizzes.kinds import get_kind
from app.quizzes.models import QuestionKind, Quiz, QuizMode, RevealPolicy
from app.quizzes.services import attempts, banks, quizzes
from tests.factories.auth import user_named

T0 = datetime(2026, 5, 1, 9, 0, 0)  # the injected clock's "now" in attempt tests


def the_trainer() -> User | None:
    """Banks and quizzes are made by the trainer of the test, when there is one (they manage them)."""
    return user_named("trainer")


def make_bank(name: str = "党章题库", published: bool = True):
    bank = banks.find_bank(name) or banks.create_bank(name, created_by=the_trainer())
    if published:
        banks.set_bank_published(bank, True)
    return bank


def single(
    text: str = "中国共产党的最高理想和最终目标是什么？", category: str = "党章", **overrides
) -> QuestionData:
    return QuestionData(
        kind=QuestionKind.SINGLE,
        text=text,
        category=category,
        general_feedback="党章总纲明确规定。",
        answers=[
            {"text": "实现共产主义", "fraction": 1.0, "feedback": "正确"},
            {"text": "全面建成小康社会", "fraction": 0.0, "feedback": "这是阶段性目标"},
            {"text": "实现现代化", "fraction": 0.0, "feedback": ""},
        ],
        **overrides,
    )


def multiple(category: str = "党章") -> QuestionData:
    return QuestionData(
        kind=QuestionKind.MULTIPLE,
        text="党的纪律包括哪些？",
        category=category,
        answers=[
            {"text": "政治纪律", "fraction": 0.5, "feedback": ""},
            {"text": "组织纪律", "fraction": 0.5, "feedback": ""},
            {"text": "作息纪律", "fraction": -0.5, "feedback": ""},
            {"text": "饮食纪律", "fraction": -0.5, "feedback": ""},
        ],
    )


def blank(category: str = "党史") -> QuestionData:
    return QuestionData(
        kind=QuestionKind.SHORTANSWER,
        text="中国共产党第一次全国代表大会于____年召开。",
        category=category,
        answers=[
            {"text": "1921", "fraction": 1.0, "feedback": ""},
            {"text": "一九二一", "fraction": 1.0, "feedback": ""},
        ],
    )


def essay(category: str = "党史") -> QuestionData:
    return QuestionData(
        kind=QuestionKind.ESSAY, text="谈谈你对“不忘初心”的理解。", category=category, answers=[]
    )


def true_false(
    text: str = "中国共产党的根本宗旨是全心全意为人民服务。", category: str = "党章"
) -> QuestionData:
    """A true/false question whose answer is true (the kind of question built quiz lessons ask)."""
    return QuestionData(
        kind=QuestionKind.TRUEFALSE,
        text=text,
        category=category,
        answers=[
            {"text": "true", "fraction": 1.0, "feedback": ""},
            {"text": "false", "fraction": 0.0, "feedback": ""},
        ],
    )


def make_quiz(questions=None, **settings) -> Quiz:
    """A published fixed quiz over ``questions`` (QuestionData, default: single + multiple + blank)."""
    bank = make_bank()
    stored = [banks.add_question(bank, data) for data in (questions or [single(), multiple(), blank()])]
    values = {
        "title": "党章知识测验",
        "mode": QuizMode.FIXED,
        "shuffle_options": False,
        "reveal": RevealPolicy.AFTER_SUBMIT,
    }
    quiz = quizzes.create_quiz(
        quizzes.QuizSettings(**(values | settings | {"published": False})), created_by=the_trainer()
    )
    quizzes.set_fixed_questions(quiz, stored)
    quizzes.update_quiz(quiz, quizzes.QuizSettings(**(values | settings | {"published": True})))
    return quiz


def user(user_id: int):
    from app.auth.models import User

    return db.session.get(User, user_id)


def make_attempt(member: User, passed: bool, quiz: Quiz | None = None) -> Quiz:
    """Take ``quiz`` through the attempt services and submit it, every question answered right when
    ``passed`` and wrong otherwise. For quizzes of true/false questions: a built quiz lesson's, or the
    default, a new one-question quiz allowing any number of attempts."""
    quiz = quiz or make_quiz([true_false()], title="测验", attempts_allowed=0)
    attempt = attempts.start_attempt(quiz, member)
    answers = {}
    for item in attempt.snapshot:
        true_is_right = get_kind(item["kind"]).grade(item["answers"], True) == 1.0
        answers[str(item["question_id"])] = "true" if true_is_right == passed else "false"
    attempts.submit_attempt(attempt, member, answers, attempt.revision)
    return quiz
