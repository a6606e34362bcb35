"""Members find courses, see required ones first with their deadline, enrol and open lessons."""

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import delete, event, select

from app.auth.models import Role, User
from app.courses import services
from app.courses.models import Course, Enrolment, EnrolmentSource, Lesson
from app.extensions import db
from app.org.accounts import create_account
from app.org.models import OrgUnit
from app.org.services import move_member
from app.progress.models import LessonProgress
from tests.factories.courses import import_folder, make_course, user_named
from tests.web import csrf_token


def assign(
    course_slug: str, unit_id: int, required: bool = True, due: date | None = None, by: str = "trainer"
):
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    year = services.current_year()
    services.assign_course(course, db.session.get(OrgUnit, unit_id), year, required, due, user_named(by))


@pytest.fixture
def courses(app, world, course_folder):
    """An imported published course, two authored ones (one a draft), an assignment to branch A1."""
    with app.app_context():
        import_folder(course_folder, owner="trainer")
        make_course("elective-one", "党史选修", tags=("党史",))
        make_course("draft-one", "未发布课程", published=False)
        year = services.current_year()
        assign("test-course", world.unit_a, required=True, due=date(year, 6, 30))
        return {"year": year}


def test_required_courses_come_first_with_their_deadline(client, auth, courses):
    auth.login("member_a")  # in 第一党支部, below the general branch the course is assigned to
    page = client.get("/courses/").get_data(as_text=True)
    assert page.index('data-testid="course-test-course"') < page.index('data-testid="course-elective-one"')
    assert 'data-required="yes"' in page
    assert f"{courses['year']}-06-30" in page
    assert "draft-one" not in page


def test_an_assignment_applies_to_the_unit_s_subtree_only(client, auth, courses):
    auth.login("member_b")  # another committee
    page = client.get("/courses/").get_data(as_text=True)
    assert 'data-testid="course-test-course"' in page and 'data-required="yes"' not in page


def test_search_by_title_and_filter_by_tag(client, auth, courses):
    auth.login("member_a")
    found = client.get("/courses/?q=党史").get_data(as_text=True)
    assert "course-elective-one" in found and "course-test-course" not in found
    tagged = client.get("/courses/?tag=党章").get_data(as_text=True)
    assert "course-test-course" in tagged and "course-elective-one" not in tagged
    wildcards = client.get("/courses/?q=%25_").get_data(as_text=True)  # "%_" is text, not a pattern
    assert 'data-testid="catalogue"' not in wildcards


def test_members_are_enrolled_automatically_in_assigned_courses(app, client, auth, courses, world):
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == world.member_a))
        assert enrolment.source is EnrolmentSource.ASSIGNED  # enrolled when the course was assigned
        assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == world.member_b)) is None


@contextmanager
def writes_recorded(engine):
    """Collect every INSERT, UPDATE and DELETE the engine sends while the block runs."""
    writes: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield writes
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_newly_assigned_course_shows_without_a_page_view_writing(app, client, auth, courses, world):
    auth.login("member_a")
    with app.app_context():
        make_course("new-required", "新的必修课")
        assign("new-required", world.unit_a, required=True)
        # As on New Year's Day for a course assigned in December for the new year: no enrolment row
        # yet (the old catalogue wrote it on the member's first page view).
        db.session.execute(delete(Enrolment).where(Enrolment.user_id == world.member_a))
        db.session.commit()
        engine = db.engine
    with writes_recorded(engine) as writes:
        catalogue = client.get("/courses/").get_data(as_text=True)
        course_page = client.get("/courses/new-required/").get_data(as_text=True)
        home = client.get("/").get_data(as_text=True)
    assert writes == []
    card = catalogue[catalogue.index('data-testid="course-new-required"') :]
    assert card.startswith('data-testid="course-new-required" data-required="yes"')
    assert "badge-enrolled" in card[: card.index("</article>")]
    assert "/courses/new-required/enrol" not in course_page  # enrolled: no button to enrol
    assert 'data-testid="required-new-required"' in home


def test_a_member_placed_in_a_unit_is_enrolled_in_what_it_is_assigned(app, courses, world):
    with app.app_context():
        unit = db.session.get(OrgUnit, world.unit_a)
        move_member(db.session.get(User, world.member_b), unit, None)
        newcomer = create_account("newcomer", "新党员", unit, [Role.MEMBER])
        test_course = db.session.scalar(select(Course).where(Course.slug == "test-course"))
        for member_id in (world.member_b, newcomer.id):
            enrolment = services.enrolment_of(db.session.get(User, member_id), test_course)
            assert enrolment is not None and enrolment.source is EnrolmentSource.ASSIGNED


def test_electives_take_one_click(app, client, auth, courses, world):
    auth.login("member_b")
    response = client.post(
        "/courses/elective-one/enrol", data={"csrf_token": csrf_token(client, "/courses/elective-one/")}
    )
    assert response.status_code == 302
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == world.member_b))
        assert enrolment.source is EnrolmentSource.SELF and enrolment.course.slug == "elective-one"


def test_a_draft_is_hidden_from_members_but_shown_to_its_owner(client, auth, courses):
    auth.login("member_a")
    assert client.get("/courses/draft-one/").status_code == 404
    auth.logout()
    auth.login("trainer")
    assert client.get("/courses/draft-one/").status_code == 200


def test_the_course_page_shows_modules_hours_and_my_progress(app, client, auth, courses):
    auth.login("member_a")
    with app.app_context():
        intro = db.session.scalar(select(Lesson).where(Lesson.key == "basics/intro"))
    client.get(f"/courses/test-course/lessons/{intro.id}")
    page = client.get("/courses/test-course/").get_data(as_text=True)
    assert "第一单元" in page and "第二单元" in page
    assert '<dd data-testid="hours">1.5</dd>' in page
    assert f'data-testid="lesson-{intro.id}" data-state="completed"' in page
    assert 'data-state="new"' in page
    assert '<span class="stat">1</span> / 4' in page


def test_opening_a_text_lesson_records_and_completes_it_once(app, client, auth, courses, world):
    auth.login("member_a")
    with app.app_context():
        intro = db.session.scalar(select(Lesson).where(Lesson.key == "basics/intro"))
        reading = db.session.scalar(select(Lesson).where(Lesson.key == "more/reading"))
    page = client.get(f"/courses/test-course/lessons/{intro.id}").get_data(as_text=True)
    assert "第一课的内容。" in page and 'data-testid="completed"' in page
    client.get(f"/courses/test-course/lessons/{intro.id}")
    client.get(f"/courses/test-course/lessons/{reading.id}")
    with app.app_context():
        rows = db.session.scalars(
            select(LessonProgress).where(LessonProgress.user_id == world.member_a)
        ).all()
        by_lesson = {row.lesson_id: row for row in rows}
        assert len(rows) == 2
        assert by_lesson[intro.id].completed_at is not None
        assert by_lesson[reading.id].completed_at is None  # completed by reading time, not by opening


def test_lessons_link_to_the_previous_and_next_lesson_across_modules(app, client, auth, courses):
    auth.login("member_a")
    with app.app_context():
        ids = {lesson.key: lesson.id for lesson in db.session.scalars(select(Lesson))}
    first = client.get(f"/courses/test-course/lessons/{ids['basics/intro']}").get_data(as_text=True)
    assert 'data-testid="previous"' not in first
    assert f"/courses/test-course/lessons/{ids['basics/clip']}" in first
    middle = client.get(f"/courses/test-course/lessons/{ids['basics/clip']}").get_data(as_text=True)
    assert f"/courses/test-course/lessons/{ids['basics/intro']}" in middle
    assert f"/courses/test-course/lessons/{ids['more/reading']}" in middle
    last = client.get(f"/courses/test-course/lessons/{ids['more/quiz']}").get_data(as_text=True)
    assert 'data-testid="next"' not in last and 'data-testid="quiz"' in last


def test_a_video_lesson_whose_file_the_library_refused_says_its_video_is_not_available(
    app, client, auth, courses
):
    auth.login("member_a")
    with app.app_context():
        clip = db.session.scalar(select(Lesson).where(Lesson.key == "basics/clip"))
        assert clip.video_path == "media/clip.mp4" and clip.video_id is None  # the fixture's file is no video
    page = client.get(f"/courses/test-course/lessons/{clip.id}").get_data(as_text=True)
    assert 'data-testid="video-missing"' in page and "<video" not in page
    assert client.get(f"/courses/test-course/lessons/{clip.id}/video").status_code == 404


def test_a_removed_lesson_is_not_reachable(app, client, auth, courses, course_folder):
    with app.app_context():
        (course_folder / "02-more" / "01-reading.md").unlink()
        import_folder(course_folder)
        reading = db.session.scalar(select(Lesson).where(Lesson.key == "more/reading"))
    auth.login("member_a")
    assert client.get(f"/courses/test-course/lessons/{reading.id}").status_code == 404


def test_a_lesson_of_another_course_is_not_found_under_this_course(app, client, auth, courses):
    auth.login("member_a")
    with app.app_context():
        other = db.session.scalar(select(Lesson).join(Course).where(Course.slug == "elective-one"))
    assert client.get(f"/courses/test-course/lessons/{other.id}").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, courses):
    assert client.get("/courses/").status_code == 302
