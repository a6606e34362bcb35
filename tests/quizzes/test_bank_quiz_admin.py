"""Renaming and deleting question banks and quizzes in the browser: refusals, ownership, audit."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.courses.models import Lesson
from app.extensions import db
from app.quizzes.errors import QuizError
from app.quizzes.models import Category, Question, QuestionBank, Quiz, QuizMode
from app.quizzes.services import attempts, banks, quizzes
from tests.factories.auth import make_user
from tests.factories.courses import GIFT, import_folder, lesson_text, write_file
from tests.factories.quizzes import make_bank, make_quiz, single, the_trainer, user
from tests.web import csrf_token


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def quiz_of_course_lesson(folder: Path, final_exam: bool = False) -> int:
    """Import a course whose quiz lesson 单元测验 (its final exam when asked) makes a quiz; its id."""
    root = folder / "dangzhang"
    exam = "final_exam: unit/exam\n" if final_exam else ""
    write_file(root / "course.yml", f"slug: dangzhang\ntitle: 党章学习\nstatus: published\n{exam}")
    write_file(root / "01-unit" / "module.yml", "title: 第一单元\n")
    write_file(root / "01-unit" / "quiz.gift", GIFT)
    write_file(
        root / "01-unit" / "01-exam.md",
        lesson_text("单元测验", "quiz", minutes=10, completion="passed", quiz="quiz.gift"),
    )
    import_folder(root, "trainer")
    return db.session.scalar(select(Lesson.quiz_id).where(Lesson.title == "单元测验"))


def bank_with_question(name: str = "党章题库") -> tuple[int, int]:
    bank = make_bank(name)
    return bank.id, banks.add_question(bank, single(category="党章/总纲")).id


def post(client, url: str, page: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


# --- banks -----------------------------------------------------------------------------------


def test_trainer_renames_a_bank_and_the_rename_is_audited(app, client, auth, people):
    with app.app_context():
        bank_id, _question = bank_with_question()
    auth.login("trainer")
    page = f"/quizzes/banks/{bank_id}"
    response = post(client, f"{page}/rename", page, name="  党章党规题库 ")
    assert response.headers["Location"].endswith(page)
    assert "党章党规题库" in client.get(page).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(QuestionBank, bank_id).name == "党章党规题库"
        [event] = audit_rows("quiz_bank.rename")
        assert (event.actor_id, event.object_type, event.object_id) == (
            people["trainer"],
            "question_bank",
            str(bank_id),
        )
        assert event.detail == {"from": "党章题库", "to": "党章党规题库"}


@pytest.mark.parametrize("name", ["   ", "党史题库", "长" * 101])
def test_a_bad_bank_name_is_refused_and_changes_nothing(app, client, auth, people, name):
    with app.app_context():
        bank_id, _question = bank_with_question()
        make_bank("党史题库")
    auth.login("trainer")
    page = f"/quizzes/banks/{bank_id}"
    post(client, f"{page}/rename", page, name=name)
    with app.app_context():
        assert db.session.get(QuestionBank, bank_id).name == "党章题库"
        assert audit_rows("quiz_bank.rename") == []
    assert "flash-error" in client.get(page).get_data(as_text=True)
    with app.app_context(), pytest.raises(QuizError):
        banks.rename_bank(db.session.get(QuestionBank, bank_id), name, None)


def test_trainer_deletes_an_unused_bank_with_its_questions_and_the_delete_is_audited(
    app, client, auth, people
):
    with app.app_context():
        bank_id, question_id = bank_with_question()
        kept_id, kept_question = bank_with_question("另一题库")
    auth.login("trainer")
    page = f"/quizzes/banks/{bank_id}"
    assert 'data-confirm="' in client.get(page).get_data(as_text=True)
    response = post(client, f"{page}/delete", page)
    assert response.headers["Location"].endswith("/quizzes/banks")
    assert client.get(page).status_code == 404
    with app.app_context():
        assert db.session.get(QuestionBank, bank_id) is None
        assert db.session.get(Question, question_id) is None
        assert db.session.scalar(select(func.count(Category.id)).where(Category.bank_id == bank_id)) == 0
        assert db.session.get(Question, kept_question) is not None  # another bank is untouched
        [event] = audit_rows("quiz_bank.delete")
        assert event.object_id == str(bank_id) and event.detail == {"name": "党章题库", "questions": 1}
        assert db.session.get(QuestionBank, kept_id) is not None


def test_a_bank_whose_questions_a_quiz_asks_is_not_deleted(app, client, auth, people):
    with app.app_context():
        quiz = make_quiz()
        bank_id = quiz.slots[0].question.category.bank_id
    auth.login("trainer")
    page = f"/quizzes/banks/{bank_id}"
    response = post(client, f"{page}/delete", page)
    assert response.headers["Location"].endswith(page)
    html = client.get(page).get_data(as_text=True)
    assert "党章知识测验" in html and "flash-error" in html  # names the quiz that uses it
    with app.app_context():
        assert db.session.get(QuestionBank, bank_id) is not None
        assert audit_rows("quiz_bank.delete") == []


def test_a_bank_a_random_quiz_draws_from_is_not_deleted(app, people):
    with app.app_context():
        bank = make_bank()
        banks.add_question(bank, single(category="党章"))
        quiz = quizzes.create_quiz(
            quizzes.QuizSettings(title="随机测验", mode=QuizMode.RANDOM), the_trainer()
        )
        quizzes.add_draw_rule(quiz, bank.categories[-1], 1)
        with pytest.raises(QuizError, match="随机测验"):
            banks.delete_bank(bank, the_trainer())
        assert db.session.get(QuestionBank, bank.id) is not None


def test_a_bank_whose_questions_members_answered_is_not_deleted(app, people):
    with app.app_context():
        quiz = make_quiz([single()])
        bank = quiz.slots[0].question.category.bank
        attempts.start_attempt(quiz, user(people["member"]))
        quizzes.set_fixed_questions(quiz, [])  # the quiz no longer asks it; the attempt still holds it
        with pytest.raises(QuizError):
            banks.delete_bank(bank, the_trainer())
        assert db.session.get(QuestionBank, bank.id) is not None


def test_a_course_lesson_s_bank_keeps_its_name(app, people, tmp_path):
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_of_course_lesson(tmp_path))
        bank = quiz.slots[0].question.category.bank
        name = bank.name
        with pytest.raises(QuizError):
            banks.rename_bank(bank, "新名字", the_trainer())
        assert db.session.get(QuestionBank, bank.id).name == name


# --- quizzes ---------------------------------------------------------------------------------


def test_renaming_a_quiz_in_its_settings_is_audited(app, client, auth, people):
    with app.app_context():
        quiz_id = make_quiz().id
    auth.login("trainer")
    page = f"/quizzes/manage/{quiz_id}"
    form = {
        "title": "七一党章测验",
        "mode": "fixed",
        "attempts_allowed": "1",
        "pass_mark": "60",
        "reveal": "after_submit",
        "published": "y",
    }
    assert post(client, page, page, **form).status_code == 302
    assert post(client, page, page, **form).status_code == 302  # saved again: no second rename
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).title == "七一党章测验"
        [event] = audit_rows("quiz.rename")
        assert (event.actor_id, event.object_id) == (people["trainer"], str(quiz_id))
        assert event.detail == {"from": "党章知识测验", "to": "七一党章测验"}


def test_trainer_deletes_an_unattempted_quiz_and_keeps_its_questions(app, client, auth, people):
    with app.app_context():
        quiz = make_quiz()
        quiz_id, question_id = quiz.id, quiz.slots[0].question_id
    auth.login("trainer")
    page = f"/quizzes/manage/{quiz_id}"
    assert 'data-confirm="' in client.get(page).get_data(as_text=True)
    response = post(client, f"{page}/delete", page)
    assert response.headers["Location"].endswith("/quizzes/manage")
    assert client.get(page).status_code == 404
    with app.app_context():
        assert db.session.get(Quiz, quiz_id) is None
        assert db.session.get(Question, question_id) is not None  # the bank keeps its questions
        [event] = audit_rows("quiz.delete")
        assert (event.actor_id, event.object_id, event.detail) == (
            people["trainer"],
            str(quiz_id),
            {"title": "党章知识测验"},
        )


def refused_quiz_delete(app, client, auth, quiz_id: int, expected: str) -> None:
    auth.login("trainer")
    page = f"/quizzes/manage/{quiz_id}"
    response = post(client, f"{page}/delete", page)
    assert response.headers["Location"].endswith(page)
    html = client.get(page).get_data(as_text=True)
    assert "flash-error" in html and expected in html
    with app.app_context():
        assert db.session.get(Quiz, quiz_id) is not None
        assert audit_rows("quiz.delete") == []


def test_a_quiz_with_attempts_is_not_deleted(app, client, auth, people):
    with app.app_context():
        quiz = make_quiz()
        attempts.start_attempt(quiz, user(people["member"]))
        quiz_id = quiz.id
    refused_quiz_delete(app, client, auth, quiz_id, "党章知识测验")


def test_a_course_lesson_s_quiz_is_not_deleted(app, client, auth, people, tmp_path):
    with app.app_context():
        quiz_id = quiz_of_course_lesson(tmp_path)
    refused_quiz_delete(app, client, auth, quiz_id, "单元测验")


def test_a_course_s_final_exam_is_not_deleted(app, client, auth, people, tmp_path):
    with app.app_context():
        quiz_id = quiz_of_course_lesson(tmp_path, final_exam=True)
    refused_quiz_delete(app, client, auth, quiz_id, "党章学习")


# --- who may ---------------------------------------------------------------------------------


def admin_urls(bank_id: int, quiz_id: int) -> list[tuple[str, dict]]:
    return [
        (f"/quizzes/banks/{bank_id}/rename", {"name": "别人的题库"}),
        (f"/quizzes/banks/{bank_id}/delete", {}),
        (f"/quizzes/manage/{quiz_id}/delete", {}),
    ]


@pytest.mark.parametrize(("username", "status"), [("trainer2", 404), ("member", 403)])
def test_only_the_owner_renames_or_deletes(app, client, auth, people, username, status):
    with app.app_context():
        bank_id, _question = bank_with_question()
        quiz_id = quizzes.create_quiz(quizzes.QuizSettings(title="党史测验"), the_trainer()).id
        make_user("trainer2", (Role.TRAINER,), "甲党委")
    auth.login(username)
    token = csrf_token(client, "/")
    for url, data in admin_urls(bank_id, quiz_id):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == status, url
    with app.app_context():
        assert db.session.get(QuestionBank, bank_id).name == "党章题库"
        assert db.session.get(Quiz, quiz_id) is not None
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_a_trainer_s_quiz_cannot_take_or_draw_another_trainer_s_questions(app, client, auth, people):
    """A quiz shows its questions to whoever takes it: another trainer's bank stays theirs."""
    with app.app_context():
        _bank_id, question_id = bank_with_question()  # the trainer's
        category_id = db.session.get(Question, question_id).category_id
        trainer2 = make_user("trainer2", (Role.TRAINER,), "甲党委")
        quiz_id = quizzes.create_quiz(quizzes.QuizSettings(title="我的测验"), trainer2).id
    auth.login("trainer2")
    settings_page = f"/quizzes/manage/{quiz_id}"
    post(client, f"/quizzes/manage/{quiz_id}/questions", settings_page, question_ids=str(question_id))
    post(client, f"/quizzes/manage/{quiz_id}/rules", settings_page, category_id=str(category_id), count="1")
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert (quiz.slots, quiz.draw_rules) == ([], [])
    page = client.get(settings_page).get_data(as_text=True)
    assert "中国共产党的最高理想" not in page  # not offered to pick either
