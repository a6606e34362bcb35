"""Hostile JSON bodies and query parameters get a clear 400/404/422, never a 500 (issue 21, item 2).

Each case here answered 500 before: integers no column or float can hold, bodies nested thousands
deep (RecursionError inside ``get_json``), and page numbers that overflow the database's OFFSET.
"""

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.progress.models import HeartbeatRefusal
from app.quizzes.services import attempts
from tests.factories.auth import make_user, user_named
from tests.factories.courses import lesson_of, make_course, make_video_lesson
from tests.factories.quizzes import make_quiz
from tests.web import csrf_token

DEEP = "[" * 5000 + "]" * 5000


def post_raw(client, path: str, body: str, token: str):
    return client.post(path, data=body, content_type="application/json", headers={"X-CSRFToken": token})


@pytest.fixture
def member(app, client, auth, world):
    """Signed in as member_a, with a video lesson, a reading lesson and an open quiz attempt."""
    with app.app_context():
        video = make_video_lesson(duration=100).id
        reading = lesson_of(make_course("reading-course"), "reading").id
        attempt = attempts.start_attempt(make_quiz(), user_named("member_a")).id
    auth.login("member_a")
    return {
        "video": video,
        "reading": reading,
        "attempt": attempt,
        "token": csrf_token(client, "/"),
    }


def stored_refusals(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [(row.lesson_id, row.reason) for row in db.session.scalars(select(HeartbeatRefusal))]


@pytest.mark.parametrize(
    "kind, body, reason",
    [
        ("video", '{"start": 0, "end": 1' + "0" * 400 + "}", "number_out_of_range"),
        ("video", '{"start": 0, "end": 1e400}', "number_out_of_range"),
        ("video", '{"start": 0, "end": 5, "sequence": 9223372036854775808}', "number_out_of_range"),
        ("video", '{"start": 0, "end": 5, "sequence": 1099511627776}', "bad_sequence"),
        ("video", DEEP, "too_deep"),
        ("reading", '{"seconds": 1' + "0" * 400 + "}", "number_out_of_range"),
        ("reading", '{"seconds": 5, "sequence": 9223372036854775808}', "number_out_of_range"),
        ("reading", DEEP, "too_deep"),
    ],
)
def test_heartbeats_with_numbers_out_of_range_or_deep_bodies_are_refused_and_stored(
    app, client, member, kind, body, reason
):
    path = f"/api/v1/lessons/{member[kind]}/{'heartbeat' if kind == 'video' else 'reading-heartbeat'}"
    response = post_raw(client, path, body, member["token"])
    assert response.status_code == 422
    assert response.get_json()["error"] == reason
    assert stored_refusals(app) == [(member[kind], reason)]


def test_the_heartbeat_service_refuses_an_integer_no_float_can_hold(app, world):
    from app.progress.watching import heartbeats

    with app.app_context():
        lesson = make_video_lesson(duration=100)
        with pytest.raises(heartbeats.HeartbeatRefused) as refused:
            heartbeats.heartbeat(user_named("member_a"), lesson.id, {"start": 0, "end": 10**400})
        assert refused.value.reason == "bad_interval"


@pytest.mark.parametrize("revision", ["1" + "0" * 30, "1099511627776", "1e400", "-1"])
def test_quiz_answers_with_a_revision_no_column_holds_are_refused(app, client, member, revision):
    response = post_raw(
        client,
        f"/api/v1/quizzes/attempts/{member['attempt']}/answers",
        '{"revision": ' + revision + ', "fields": []}',
        member["token"],
    )
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"]


def test_a_body_nested_5000_deep_is_a_clear_400_on_every_json_endpoint(app, client, member):
    paths = [
        "/api/v1/me/locale",
        f"/api/v1/quizzes/attempts/{member['attempt']}/answers",
        "/api/v1/library/documents/1/position",
    ]
    for path in paths:
        method = client.put if path.endswith("/position") else client.post
        response = method(
            path, data=DEEP, content_type="application/json", headers={"X-CSRFToken": member["token"]}
        )
        assert response.status_code in (400, 404), path
        assert response.is_json, path
    answer = post_raw(client, "/api/v1/me/locale", DEEP, member["token"])
    assert answer.status_code == 400
    assert answer.get_json()["reason"] == "too_deep"
    assert "32" in answer.get_json()["error"]


def test_a_body_that_is_not_an_object_is_a_clear_400(app, client, member):
    for path, method in (
        ("/api/v1/me/locale", client.post),
        ("/api/v1/library/documents/1/position", client.put),
    ):
        response = method(path, json=[1, 2], headers={"X-CSRFToken": member["token"]})
        assert response.status_code in (400, 404) and response.is_json, path


def test_a_body_too_large_is_refused(app, client, member):
    response = post_raw(client, "/api/v1/me/locale", '{"locale": "' + "x" * 70_000 + '"}', member["token"])
    assert response.status_code == 400 and response.get_json()["reason"] == "too_large"


def test_the_error_is_in_the_user_s_language(app, client, member):
    client.set_cookie("lang", "zh_CN")
    response = post_raw(client, "/api/v1/me/locale", DEEP, member["token"])
    assert "嵌套" in response.get_json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/audit/?page=99999999999999999999999",
        "/audit/?page=-1",
        "/audit/?page=abc",
        "/progress/refusals?lesson=99999999999999999999999",
        "/progress/members/{member_a}/ledger?year=99999999999999999999",
        "/progress/units/{unit_a1}/targets?year=99999",
        "/api/v1/progress/ledger?year=99999999999999999999",
        "/api/v1/org-units/{unit_a1}/report?year=99999999999999999999",
    ],
)
def test_page_numbers_and_numeric_filters_out_of_range_are_a_clear_400(app, client, auth, world, path):
    with app.app_context():
        make_user("auditor", (Role.AUDITOR,), unit_path=None)
    auth.login("admin")
    response = client.get(path.format(**vars(world)))
    assert response.status_code == 400
    text = response.get_json()["error"] if response.is_json else response.get_data(as_text=True)
    assert "whole number from" in text or "之间的整数" in text


def test_a_page_number_within_range_still_pages(app, client, auth, world):
    auth.login("admin")
    assert client.get("/audit/?page=2").status_code == 200
    assert client.get("/audit/?page=").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/api/v1/org-units/99999999999999999999999/report", "/api/v1/lessons/99999999999999999999/progress"],
)
def test_an_id_beyond_any_integer_column_is_404_not_500(app, client, auth, world, path):
    auth.login("admin")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_roster_export_of_a_course_reviewer_is_not_a_500(app, client, auth, world, extension):
    """Found by the generated-input test: the roster had no name for the reviewer role."""
    with app.app_context():
        make_user("reviewer", (Role.REVIEWER, Role.MEMBER), "甲党委")
    auth.login("admin")
    response = client.get(f"/org/roster/export.{extension}")
    assert response.status_code == 200 and response.data
