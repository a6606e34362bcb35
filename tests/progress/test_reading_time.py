"""Verified reading time: reading heartbeats credited to reading lessons, bounded like video watching."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.courses.models import CompletionRule, CourseStatus, LessonKind
from app.extensions import db
from app.library.services import ensure_collection, get_document, get_document_by_key, import_upload
from app.progress.models import HeartbeatRefusal, HourEntry, LessonProgress
from app.progress.watching import heartbeats, reading
from app.progress.watching.heartbeats import HeartbeatRefused
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of, make_course, make_video_lesson
from tests.web import csrf_token

T0 = utcnow().replace(microsecond=0)
DOCUMENT = "# 第一章 总纲\n\n民主集中制是党的根本组织原则。\n\n# 第二章 党员\n\n党员必须履行义务。\n".encode()


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def make_reading_lesson(slug: str = "reading-course", minutes: int = 2, rule=CompletionRule.READ):
    """A published course whose one lesson is a reading lesson on a real library document."""
    outcome = import_upload("reading-doc.md", DOCUMENT, ensure_collection("学习资料"))
    course = make_course(slug, lessons=(("reading", LessonKind.READING, minutes, rule),))
    lesson = lesson_of(course, "reading")
    lesson.reading_document = get_document(outcome.document_id).key
    db.session.commit()
    return lesson


def read(lesson, seconds, at_second, session, sequence, member="member_a"):
    payload = {"seconds": seconds, "session": session, "sequence": sequence}
    return reading.heartbeat(user_named(member), lesson.id, payload, now=at(at_second))


def refusals(reason: str) -> int:
    # Rows count the refusals of their minute.
    statement = select(func.coalesce(func.sum(HeartbeatRefusal.count), 0))
    return db.session.scalar(statement.where(HeartbeatRefusal.reason == reason))


# --- the service ----------------------------------------------------------------------------------


def test_reading_at_real_speed_completes_the_lesson_and_credits_the_course(app, world):
    with app.app_context():
        lesson = make_reading_lesson(minutes=2)
        member = user_named("member_a")
        session = reading.reading_state(member, lesson, now=at(0))["session"]
        for number in range(1, 12):  # eleven reports of ten seconds, ten seconds apart
            figures = read(lesson, 10, 10 * number, session, number)
            assert figures.accepted_seconds == 10
        assert figures.verified_seconds == 110 and not figures.completed
        figures = read(lesson, 10, 120, session, 12)
        assert figures.verified_seconds == 120
        assert figures.completed
        assert figures.as_json()["coverage"] == 1.0
        progress = db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == lesson.id))
        assert progress.completed_at is not None
        # The course's only lesson: its hours are in the member's ledger, once.
        assert db.session.scalar(select(func.count(HourEntry.id)).where(HourEntry.user_id == member.id)) == 1
        read(lesson, 10, 130, session, 13)  # reading on adds time but credits nothing again
        assert db.session.scalar(select(func.count(HourEntry.id)).where(HourEntry.user_id == member.id)) == 1


def test_reports_faster_than_real_time_are_refused_and_earn_nothing(app, world):
    with app.app_context():
        lesson = make_reading_lesson(minutes=30)
        session = reading.reading_state(user_named("member_a"), lesson, now=at(0))["session"]
        accepted = 0.0
        for second in range(1, 61):  # a report every second, each claiming ten seconds of reading
            try:
                accepted += read(lesson, 10, second, session, second).accepted_seconds
            except HeartbeatRefused as refusal:
                assert refusal.status == 422
        # The opening tolerance, then real time: 15 budget seconds + 1.5 per second, 1.5 per read second.
        assert accepted <= (15 + 1.5 * 60) / 1.5
        assert reading.figures(user_named("member_a"), lesson).verified_seconds == accepted
        assert refusals("faster_than_real_time") > 0


def test_waiting_then_claiming_the_wait_is_refused(app, world):
    with app.app_context():
        lesson = make_reading_lesson(minutes=30)
        session = reading.reading_state(user_named("member_a"), lesson, now=at(0))["session"]
        with pytest.raises(HeartbeatRefused) as refused:
            read(lesson, 100, 600, session, 1)  # ten minutes of silence, then a claim of 100 s
        assert refused.value.reason == "faster_than_real_time"
        assert reading.figures(user_named("member_a"), lesson).verified_seconds == 0


def test_a_video_opened_meanwhile_supersedes_the_reading_page(app, world):
    with app.app_context():
        lesson = make_reading_lesson(minutes=30)
        video_lesson = make_video_lesson(duration=600)
        member = user_named("member_a")
        session = reading.reading_state(member, lesson, now=at(0))["session"]
        read(lesson, 10, 10, session, 1)
        heartbeats.open_session(member, video_lesson, now=at(12))  # a video starts in another tab
        with pytest.raises(HeartbeatRefused) as refused:
            read(lesson, 10, 20, session, 2)
        assert (refused.value.status, refused.value.reason) == (409, "superseded")
        assert reading.figures(member, lesson).verified_seconds == 10


def test_replayed_and_malformed_reports_are_refused_and_stored(app, world):
    with app.app_context():
        lesson = make_reading_lesson(minutes=30)
        member = user_named("member_a")
        session = reading.reading_state(member, lesson, now=at(0))["session"]
        read(lesson, 10, 10, session, 1)
        cases = [
            ({"seconds": 10, "session": session, "sequence": 1}, 409, "replayed"),
            ({"seconds": 10, "session": session, "sequence": 2, "bonus": 1}, 422, "unknown_field"),
            ({"seconds": -5, "session": session, "sequence": 2}, 422, "bad_seconds"),
            ({"seconds": 1e9, "session": session, "sequence": 2}, 422, "bad_seconds"),
            ({"seconds": True, "session": session, "sequence": 2}, 422, "bad_seconds"),
            ([10], 422, "not_an_object"),
        ]
        for payload, status, reason in cases:
            with pytest.raises(HeartbeatRefused) as refused:
                reading.heartbeat(member, lesson.id, payload, now=at(20))
            assert (refused.value.status, refused.value.reason) == (status, reason)
            assert refusals(reason) >= 1
        assert reading.figures(member, lesson).verified_seconds == 10


def test_only_a_visible_reading_lesson_takes_reading_time(app, world):
    with app.app_context():
        lesson = make_reading_lesson(minutes=30)
        video_lesson = make_video_lesson(duration=600)
        member = user_named("member_a")
        for lesson_id in (video_lesson.id, 10**12, 0):  # a video lesson, no such lesson
            with pytest.raises(HeartbeatRefused) as refused:
                reading.heartbeat(member, lesson_id, {"seconds": 5}, now=at(5))
            assert refused.value.reason == "not_visible"
        lesson.course.status = CourseStatus.DRAFT
        db.session.commit()
        with pytest.raises(HeartbeatRefused) as refused:
            reading.heartbeat(member, lesson.id, {"seconds": 5}, now=at(5))
        assert refused.value.status == 404


def test_a_client_sending_only_seconds_works_from_one_tab(app, world):
    with app.app_context():
        lesson = make_reading_lesson(minutes=30)
        member = user_named("member_a")
        assert reading.heartbeat(member, lesson.id, {"seconds": 5}, now=at(5)).accepted_seconds == 5
        assert reading.heartbeat(member, lesson.id, {"seconds": 10}, now=at(15)).verified_seconds == 15


def test_an_opened_rule_reading_lesson_still_records_time_but_completes_on_opening(app, world):
    with app.app_context():
        lesson = make_reading_lesson(minutes=1, rule=CompletionRule.OPENED)
        member = user_named("member_a")
        figures = reading.heartbeat(member, lesson.id, {"seconds": 10}, now=at(10))
        assert figures.verified_seconds == 10 and not figures.completed


# --- pages and the API ----------------------------------------------------------------------------


def test_the_reading_page_opened_from_a_lesson_shows_the_timer_and_the_api_credits(app, world, client, auth):
    with app.app_context():
        lesson = make_reading_lesson(minutes=2)
        lesson_id, key, slug = lesson.id, lesson.reading_document, lesson.course.slug
    auth.login("member_a")
    lesson_page = client.get(f"/courses/{slug}/lessons/{lesson_id}").get_data(as_text=True)
    assert f"lesson={lesson_id}" in lesson_page
    redirect = client.get(f"/library/k/{key}?lesson={lesson_id}")
    assert f"lesson={lesson_id}" in redirect.headers["Location"]
    page = client.get(redirect.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="reading-timer"' in page
    assert f"/api/v1/lessons/{lesson_id}/reading-heartbeat" in page
    token = csrf_token(client, f"/courses/{slug}/lessons/{lesson_id}")
    answer = client.post(
        f"/api/v1/lessons/{lesson_id}/reading-heartbeat", json={"seconds": 10}, headers={"X-CSRFToken": token}
    )
    assert answer.status_code == 200
    assert answer.get_json() == {
        "accepted_seconds": 10.0,
        "verified_seconds": 10.0,
        "required_seconds": 120.0,
        "coverage": pytest.approx(0.0833, abs=1e-4),
        "completed": False,
    }
    assert client.get(f"/api/v1/lessons/{lesson_id}/reading-progress").get_json()["verified_seconds"] == 10.0
    refused = client.post(
        f"/api/v1/lessons/{lesson_id}/reading-heartbeat",
        json={"seconds": "lots"},
        headers={"X-CSRFToken": token},
    )
    assert refused.status_code == 422 and refused.get_json() == {"error": "bad_seconds"}


def test_no_timer_without_a_matching_reading_lesson(app, world, client, auth):
    with app.app_context():
        lesson = make_reading_lesson(minutes=2)
        other = make_reading_lesson(slug="other-course", minutes=2)
        other.reading_document = "another-document"
        db.session.commit()
        lesson_id, other_id = lesson.id, other.id
        document_id = get_document_by_key(lesson.reading_document).id
    auth.login("member_a")
    assert 'data-testid="reading-timer"' not in client.get(f"/library/documents/{document_id}").get_data(
        as_text=True
    )
    for wrong in (other_id, 10**12, "x"):
        page = client.get(f"/library/documents/{document_id}?lesson={wrong}").get_data(as_text=True)
        assert 'data-testid="reading-timer"' not in page
    assert 'data-testid="reading-timer"' in client.get(
        f"/library/documents/{document_id}?lesson={lesson_id}"
    ).get_data(as_text=True)
    assert client.get(f"/api/v1/lessons/{other_id + 1000}/reading-progress").status_code == 404
