"""The member's home leads: where to continue, required courses, quizzes, notices, replies, the pace."""

from decimal import Decimal

import pytest
from sqlalchemy import event

from app.auth.models import Role
from app.courses import services as courses
from app.courses.models import CompletionRule, Course, CourseStatus, LessonKind
from app.discussions import services as discussions
from app.extensions import db
from app.home import queries
from app.notices import services as notices
from app.progress import ledger
from app.progress import services as progress
from app.progress.watching import reading
from app.quizzes.models import Quiz
from app.reports.pace import expected_hours
from tests.factories.auth import make_user, user_named
from tests.factories.courses import add_lesson, lesson_of, make_course
from tests.factories.home import required_course, studying_member
from tests.factories.quizzes import make_attempt, make_quiz, true_false
from tests.web import AuthActions, csrf_token


def home(client, username: str = "member_a") -> str:
    AuthActions(client).login(username)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def block(page: str, testid: str) -> str:
    """The HTML of the home block with this data-testid (up to the section's end)."""
    assert f'data-testid="{testid}"' in page, f"no {testid} block"
    return page.split(f'data-testid="{testid}"', 1)[1].split("</section>", 1)[0]


def test_a_studying_member_s_home_leads_with_each_block(app, world, client):
    with app.app_context():
        made = studying_member()
        clip_id = made["clip"].id
        quiz_id, standalone_id = made["quiz_lesson"].quiz_id, made["standalone"].id
        expected = expected_hours(
            ledger.target_for(user_named("member_a"), ledger.local_year()),
            ledger.local_year(),
            ledger.local_time().date(),
        )
    page = home(client)

    # Continue: the text lesson read last is done, so the next one, the video, at its resume point.
    resume = block(page, "continue")
    assert f'data-lesson-id="{clip_id}"' in page
    assert "继续上次的学习" in resume and "课clip" in resume
    assert "视频将从 0:20 处继续" in resume
    assert f'href="/courses/dangzhang/lessons/{clip_id}"' in resume

    required = block(page, "required-dangzhang")
    assert "党章学习" in required and f"截止日期 {courses.current_year()}-12-31" in required
    assert 'data-testid="lessons-done">1 / 4<' in required

    quizzes = block(page, "waiting-quizzes")
    assert "课quiz" in quizzes and f'href="/quizzes/{quiz_id}"' in quizzes  # the course's quiz
    assert "每月一测" in quizzes and f'href="/quizzes/{standalone_id}"' in quizzes
    assert quizzes.index("课quiz") < quizzes.index("每月一测")  # a required course's quiz first
    assert f"截止日期 {courses.current_year()}-12-31" in quizzes

    assert "关于开展主题党日的通知" in block(page, "unread-notices")

    replies = block(page, "home-replies")
    assert "在入党仪式上宣读。" in replies and 'data-unread="true"' in replies
    assert "/discussions/replies" in replies

    pace = block(page, "study-card")
    assert 'data-state="behind"' in pace and f"应达到 {ledger.format_hours(expected)} 学时" in pace
    assert 'data-testid="getting-started"' not in page


def test_the_replies_page_is_in_the_navigation_even_with_nothing_unread(app, world, client):
    page = home(client)
    assert 'href="/discussions/replies" data-testid="nav-replies"' in page
    assert 'data-testid="nav-unread-replies"' not in page


def test_a_completed_quiz_and_a_finished_standalone_quiz_no_longer_wait(app, world, client):
    with app.app_context():
        made = studying_member()
        member = user_named("member_a")
        make_attempt(member, passed=True, quiz=db.session.get(Quiz, made["quiz_lesson"].quiz_id))
        progress.record_quiz_outcome(member, made["quiz_lesson"], made["quiz_lesson"].quiz_id)
        make_attempt(member, passed=False, quiz=made["standalone"])
    page = home(client)
    assert 'data-testid="waiting-quizzes"' not in page


def test_a_reading_lesson_continues_on_its_reading_page(app, world, client):
    with app.app_context():
        course = required_course(lessons=(("reading", LessonKind.READING, 20, CompletionRule.READ),))
        lesson = lesson_of(course, "reading")
        progress.open_lesson(user_named("member_a"), lesson)
        reading.reading_state(user_named("member_a"), lesson)
        key, lesson_id = lesson.reading_document, lesson.id
    resume = block(home(client), "continue")
    assert f'href="/library/k/{key}?lesson={lesson_id}"' in resume
    assert "继续" in resume


def test_a_member_with_a_required_course_not_yet_begun_is_shown_its_first_lesson(app, world, client):
    with app.app_context():
        course = required_course()
        intro_id = lesson_of(course, "intro").id
    page = home(client)
    resume = block(page, "continue")
    assert "下一课" in resume and f'data-lesson-id="{intro_id}"' in page and "开始学习" in resume
    assert 'data-testid="getting-started"' not in page


def test_a_new_member_is_told_where_to_start(app, world, client):
    page = home(client)
    start = block(page, "getting-started")
    assert 'href="/courses/"' in start and 'href="/library/"' in start
    for absent in ("continue", "required-courses", "waiting-quizzes", "home-replies", "unread-notices"):
        assert f'data-testid="{absent}"' not in page
    assert 'data-testid="hours-total">0<' in page


def test_the_home_speaks_english_when_asked(app, world, client):
    with app.app_context():
        studying_member()
    AuthActions(client).login("member_a")
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client, "/")})
    page = client.get("/").get_data(as_text=True)
    assert "Continue where you stopped" in page and "Quizzes waiting for me" in page
    assert "Replies to my questions" in page and "The video resumes at 0:20." in page


def test_a_member_who_met_the_target_is_told_so(app, world, client):
    with app.app_context():
        ledger.add_correction(
            user_named("member_a"), 40, "补录线下学习学时", ledger.local_year(), user_named("admin")
        )
    study = block(home(client), "study-card")
    assert 'data-state="met"' in study and "已完成本年度学时目标" in study


def test_the_pace_is_behind_only_by_what_the_even_pace_calls_for():
    on_track = queries.Pace(2026, Decimal("20"), Decimal("32"), Decimal("16.00"))
    behind = queries.Pace(2026, Decimal("10"), Decimal("32"), Decimal("16.00"))
    assert on_track.behind == 0 and not on_track.met
    assert behind.behind == Decimal("6.00")


def test_the_home_shows_only_the_member_s_own_study_in_published_courses(app, world, client):
    with app.app_context():
        withdrawn = make_course("withdrawn", title="已撤回课程")
        progress.open_lesson(user_named("member_a"), lesson_of(withdrawn, "intro"))
        withdrawn.status = CourseStatus.DRAFT  # unpublished after the member opened it
        db.session.commit()
        studying_member_elsewhere = user_named("member_b")  # another committee's member, studying and asking
        other = make_course("other", title="他人课程")
        lesson = lesson_of(other, "clip")
        progress.open_lesson(studying_member_elsewhere, lesson)
        question = discussions.create_post(studying_member_elsewhere, lesson, "别人的提问", is_question=True)
        discussions.reply_to(user_named("trainer"), question, "给别人的回答")
    page = home(client)
    for absent in ("已撤回课程", "他人课程", "给别人的回答", 'data-testid="continue"'):
        assert absent not in page
    assert 'data-testid="getting-started"' in page  # a withdrawn course's lesson is no study to resume


def test_a_reply_s_text_is_shown_escaped_on_the_home(app, world, client):
    with app.app_context():
        course = required_course(title="<img src=x onerror=alert(1)>课程")
        question = discussions.create_post(
            user_named("member_a"), lesson_of(course, "intro"), "请教", is_question=True
        )
        discussions.reply_to(user_named("trainer"), question, "<script>alert('回复')</script>答复")
    page = home(client)
    assert "<script>alert(" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in block(page, "home-replies")
    assert "&lt;img src=x onerror=alert(1)&gt;课程" in block(page, "waiting-quizzes")


@pytest.mark.parametrize("username", ["admin", "sec_a", "trainer", "auditor"])
def test_every_role_still_gets_its_home_page(app, world, client, username):
    with app.app_context():
        make_user("auditor", (Role.AUDITOR,), unit_path=None)
        studying_member()
    page = home(client, username)
    assert 'data-testid="study-card"' in page or username in ("admin", "auditor")
    assert 'href="/discussions/replies"' in page


def count_queries(client) -> int:
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return len(statements)


def test_the_home_page_runs_a_bounded_number_of_queries(app, world, client):
    with app.app_context():
        course_id = studying_member()["course"].id
    AuthActions(client).login("member_a")
    client.get("/")
    with app.app_context():
        before = count_queries(client)
        # Many more lessons, notices, replies, quizzes and studied lessons: not one more query.
        course = db.session.get(Course, course_id)
        module = course.modules[0]
        member = user_named("member_a")
        for number in range(12):
            lesson = add_lesson(module, f"extra{number}", LessonKind.TEXT, 5, CompletionRule.OPENED)
            progress.open_lesson(member, lesson)
        for number in range(6):
            add_lesson(module, f"quiz{number}", LessonKind.QUIZ, 5, CompletionRule.PASSED)
            make_quiz([true_false()], title=f"练习{number}")
            notices.publish_notice(
                user_named("sec_a"), user_named("sec_a").unit, notices.NoticeFields(title=f"通知{number}")
            )
            question = discussions.create_post(member, lesson, f"问题{number}", is_question=True)
            discussions.reply_to(user_named("trainer"), question, f"回答{number}")
        db.session.commit()
        after = count_queries(client)
    assert after == before
    assert before <= 30


def test_more_courses_cost_the_home_no_more_queries(app, world, client):
    """Every course's lesson counts are read at once (progress.services.course_progress)."""
    with app.app_context():
        studying_member()
    AuthActions(client).login("member_a")
    client.get("/")
    with app.app_context():
        before = count_queries(client)
        for number in range(3):
            required_course(f"more{number}", title=f"课程{number}")
        after = count_queries(client)
    assert after == before
