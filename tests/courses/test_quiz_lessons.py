"""A quiz lesson's GIFT file becomes a real quiz; passing it completes the lesson."""

import pytest
from sqlalchemy import func, select

from app.courses import importer
from app.courses.errors import CourseFormatError
from app.courses.folder import parse_course_folder
from app.courses.models import Lesson
from app.extensions import db
from app.progress.models import LessonProgress
from app.quizzes.models import QuestionBank, Quiz
from app.quizzes.services import attempts
from tests.factories.courses import import_folder, make_course, user_named, write_course_folder, write_file
from tests.web import AuthActions, csrf_token


def quiz_lesson() -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.key.like("%/quiz")))


def finish_attempt(quiz: Quiz, username: str, answer) -> None:
    member = user_named(username)
    attempt = attempts.start_attempt(quiz, member)
    [item] = attempt.snapshot
    attempts.submit_attempt(attempt, member, {str(item["question_id"]): answer}, attempt.revision)


def test_importing_makes_a_published_quiz_and_importing_again_changes_nothing(app, world, course_folder):
    with app.app_context():
        import_folder(course_folder, "trainer")
        lesson = quiz_lesson()
        quiz = db.session.get(Quiz, lesson.quiz_id)
        assert quiz.published and quiz.pass_mark == 60 and quiz.attempts_allowed == 3
        assert [slot.question.text for slot in quiz.slots] == ["党的根本宗旨是全心全意为人民服务。"]
        import_folder(course_folder, "trainer")
        assert quiz_lesson().quiz_id == quiz.id
        assert db.session.scalar(select(func.count(QuestionBank.id))) == 1


def test_an_edited_gift_makes_a_new_quiz_and_keeps_the_old_attempts(app, world, course_folder):
    with app.app_context():
        import_folder(course_folder, "trainer")
        old_quiz = db.session.get(Quiz, quiz_lesson().quiz_id)
        finish_attempt(old_quiz, "member_a", "true")
        write_file(course_folder / "02-more" / "quiz.gift", "::q1::入党誓词由党章规定。{T}\n")
        import_folder(course_folder, "trainer")
        new_quiz = db.session.get(Quiz, quiz_lesson().quiz_id)
        assert new_quiz.id != old_quiz.id and new_quiz.slots[0].question.text == "入党誓词由党章规定。"
        assert len(attempts.attempts_of(old_quiz, user_named("member_a"))) == 1


def test_a_broken_gift_names_its_file_and_line_and_imports_nothing(app, world, course_folder):
    write_file(course_folder / "02-more" / "quiz.gift", "::q1::党的宗旨？ {=为人民服务 ~为自己\n")
    with app.app_context():
        with pytest.raises(CourseFormatError) as caught:
            import_folder(course_folder, "trainer")
        assert caught.value.path == "test-course/02-more/quiz.gift" and caught.value.line == 1
        assert db.session.scalar(select(func.count(Lesson.id))) == 0


@pytest.mark.parametrize(("answer", "completed"), [("true", True), ("false", False)])
def test_passing_the_quiz_completes_the_lesson_at_once(
    app, world, course_folder, client, auth, answer, completed
):
    with app.app_context():
        import_folder(course_folder, "trainer")
        lesson = quiz_lesson()
        lesson_id, quiz_id = lesson.id, lesson.quiz_id
        finish_attempt(db.session.get(Quiz, quiz_id), "member_a", answer)
        attempt_id = attempts.attempts_of(db.session.get(Quiz, quiz_id), user_named("member_a"))[0].id
    with app.app_context():  # completed by the submission itself, before any page is opened
        done = db.session.scalar(
            select(LessonProgress.completed_at).where(
                LessonProgress.lesson_id == lesson_id, LessonProgress.user_id == world.member_a
            )
        )
    assert (done is not None) is completed
    auth.login("member_a")
    page = client.get(f"/courses/test-course/lessons/{lesson_id}").get_data(as_text=True)
    assert f'href="/quizzes/{quiz_id}"' in page
    assert client.get(f"/quizzes/attempts/{attempt_id}/review").status_code == 200
    with app.app_context():
        done = db.session.scalar(
            select(LessonProgress.completed_at).where(
                LessonProgress.lesson_id == lesson_id, LessonProgress.user_id == world.member_a
            )
        )
    assert (done is not None) is completed


def test_a_quiz_lesson_saved_in_the_browser_gets_its_quiz(app, world, client, auth):
    with app.app_context():
        course = make_course()
        module_id = course.modules[0].id
    auth.login("trainer")
    token = csrf_token(client, f"/authoring/modules/{module_id}/lessons/new")
    response = client.post(
        f"/authoring/modules/{module_id}/lessons/new",
        data={
            "csrf_token": token,
            "title": "随堂测验",
            "kind": "quiz",
            "minutes": "5",
            "completion": "passed",
            "quiz_source": "::q::党章是党的根本大法。{T}",
            "pass_score": "60",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.title == "随堂测验"))
        assert lesson.quiz_id is not None and db.session.get(Quiz, lesson.quiz_id).published


def name_the_final_exam(course_folder, key: str, completion: str = "passed") -> None:
    course_yml = course_folder / "course.yml"
    course_yml.write_text(course_yml.read_text(encoding="utf-8") + f"final_exam: {key}\n", encoding="utf-8")
    quiz = course_folder / "02-more" / "02-quiz.md"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("kind: quiz\n", f"kind: quiz\ncompletion: {completion}\n")
    )


def test_a_final_exam_is_a_passed_quiz_lesson_and_survives_a_round_trip(app, world, course_folder, tmp_path):
    name_the_final_exam(course_folder, "more/quiz")
    with app.app_context():
        result = import_folder(course_folder, "trainer")
        assert result.course.final_exam_key == "more/quiz"
        exported = importer.export_course(result.course, tmp_path / "out")
        assert parse_course_folder(exported).final_exam == "more/quiz"
    assert 'data-testid="final-exam"' in course_page(app, "test-course")


@pytest.mark.parametrize(
    ("key", "completion", "words"),
    [
        ("more/reading", "passed", "quiz lesson"),
        ("more/nothing", "passed", "quiz lesson"),
        ("more/quiz", "submitted", "passed"),
    ],
)
def test_a_wrong_final_exam_is_refused_with_its_line(app, course_folder, key, completion, words):
    name_the_final_exam(course_folder, key, completion)
    with pytest.raises(CourseFormatError) as caught:
        parse_course_folder(course_folder)
    assert (
        caught.value.path == "test-course/course.yml"
        and caught.value.line == 8
        and words in caught.value.problem
    )


def course_page(app, slug: str) -> str:
    client = app.test_client()
    AuthActions(client).login("member_a")
    return client.get(f"/courses/{slug}/").get_data(as_text=True)


def test_a_lesson_quiz_is_reached_through_its_lesson_and_only_by_who_may_see_the_course(
    app, world, client, auth, tmp_path
):
    with app.app_context():
        published = import_folder(write_course_folder(tmp_path, "open-course"), "trainer").course
        draft = import_folder(write_course_folder(tmp_path, "draft-course", status="draft"), "trainer").course
        open_quiz, draft_quiz = (
            db.session.scalar(
                select(Lesson.quiz_id).where(Lesson.course_id == course.id, Lesson.quiz_id.is_not(None))
            )
            for course in (published, draft)
        )
    auth.login("member_a")
    assert client.get(f"/quizzes/{open_quiz}").status_code == 200
    assert f'href="/quizzes/{open_quiz}"' not in client.get("/quizzes/").get_data(as_text=True)
    assert client.get(f"/quizzes/{draft_quiz}").status_code == 404  # a draft course's quiz
    token = csrf_token(client, "/quizzes/")
    assert client.post(f"/quizzes/{draft_quiz}/start", data={"csrf_token": token}).status_code == 404


def test_trainers_see_a_lesson_bank_by_its_lesson_and_each_top_category_with_its_bank(
    app, world, client, auth, course_folder
):
    with app.app_context():
        import_folder(course_folder, "trainer")
        bank_name = db.session.scalar(select(QuestionBank.name))
        assert "@" in bank_name  # its identity: course, lesson and GIFT hash
        from app.quizzes.models import QuizMode
        from app.quizzes.services import quizzes

        random_quiz = quizzes.create_quiz(
            quizzes.QuizSettings(title="随机卷", mode=QuizMode.RANDOM), user_named("trainer")
        )
        random_id = random_quiz.id
    auth.login("trainer")
    banks_page = client.get("/quizzes/banks").get_data(as_text=True)
    assert "测验（课程测验）" in banks_page and bank_name not in banks_page
    settings = client.get(f"/quizzes/manage/{random_id}").get_data(as_text=True)
    assert "测验（课程测验） / （顶级分类）" in settings
