"""Refused heartbeats keep their evidence in bounded writes, and bursts are rate-limited (issue 21, item 4)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.progress.models import HeartbeatRefusal
from app.progress.watching import heartbeats
from app.progress.watching.heartbeats import HeartbeatRefused
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of, make_course, make_video_lesson
from tests.web import AuthActions, csrf_token

MINUTE = utcnow().replace(second=0, microsecond=0)
FORGED = {"start": 0, "end": 600}  # the whole video at once: refused, faster than real time


def rows() -> list[HeartbeatRefusal]:
    return list(db.session.scalars(select(HeartbeatRefusal).order_by(HeartbeatRefusal.id)))


def test_a_burst_of_100_refused_heartbeats_writes_one_row_counting_them(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=600)
        member = user_named("member_a")
        for beat in range(100):  # 100 within 0.26 s, as the hostile pass sent them
            with pytest.raises(HeartbeatRefused):
                heartbeats.heartbeat(member, lesson.id, FORGED, now=MINUTE + timedelta(seconds=beat * 0.0026))
        [row] = rows()
        assert (row.reason, row.count, row.payload) == ("faster_than_real_time", 100, FORGED)
        assert row.created_at == MINUTE and row.last_at == MINUTE + timedelta(seconds=99 * 0.0026)

        # The next minute, another reason or another lesson: rows of their own; the first is unchanged.
        with pytest.raises(HeartbeatRefused):
            heartbeats.heartbeat(member, lesson.id, FORGED, now=MINUTE + timedelta(seconds=61))
        with pytest.raises(HeartbeatRefused):
            heartbeats.heartbeat(member, lesson.id, {"start": 0}, now=MINUTE + timedelta(seconds=61))
        with pytest.raises(HeartbeatRefused):
            heartbeats.heartbeat(member, 999999, FORGED, now=MINUTE + timedelta(seconds=61))
        assert [(row.reason, row.count) for row in rows()] == [
            ("faster_than_real_time", 100),
            ("faster_than_real_time", 1),
            ("bad_interval", 1),
            ("not_visible", 1),
        ]


@pytest.fixture
def app_config() -> dict:
    return {"PROGRESS_HEARTBEAT_RATE_LIMIT": "30 per minute"}


def signed_in(app, username: str = "member_a"):
    client = app.test_client()
    AuthActions(client).login(username)
    return client, csrf_token(client, "/")


def test_a_burst_over_http_is_cut_off_with_429_and_stored_in_bounded_rows(app, world):
    with app.app_context():
        lesson_id = make_video_lesson(duration=600).id
    client, token = signed_in(app)
    statuses = [
        client.post(f"/api/v1/lessons/{lesson_id}/heartbeat", json=FORGED, headers={"X-CSRFToken": token})
        for _ in range(100)
    ]
    assert [response.status_code for response in statuses] == [422] * 30 + [429] * 70
    assert statuses[-1].is_json and statuses[-1].get_json()["error"]
    with app.app_context():
        stored = rows()
        assert len(stored) <= 2  # one a minute (two if the burst crossed a minute's end)
        assert sum(row.count for row in stored) == 30
    # Another member is not throttled by this one's burst.
    other, other_token = signed_in(app, "member_a2")
    answer = other.post(
        f"/api/v1/lessons/{lesson_id}/heartbeat",
        json={"start": 0, "end": 5},
        headers={"X-CSRFToken": other_token},
    )
    assert answer.status_code == 200


def test_an_honest_player_s_pace_is_never_limited(app, world):
    """A minute of playing reports 6 times (every 10 s), plus pauses, seeks and a reading tab: all
    answered, none 429 — sent here back to back, faster than any player would."""
    with app.app_context():
        video = make_video_lesson(duration=600).id
        reading = lesson_of(make_course("reading-course"), "reading").id
    client, token = signed_in(app)
    headers = {"X-CSRFToken": token}
    answers = [
        client.post(f"/api/v1/lessons/{video}/heartbeat", json={"start": 0, "end": 1}, headers=headers)
        for _ in range(10)
    ] + [
        client.post(f"/api/v1/lessons/{reading}/reading-heartbeat", json={"seconds": 1}, headers=headers)
        for _ in range(3)
    ]
    assert 429 not in [answer.status_code for answer in answers]


def test_the_review_page_shows_how_many_times_a_refusal_came(app, world, client, auth):
    with app.app_context():
        lesson = make_video_lesson(duration=600)
        for beat in range(7):
            with pytest.raises(HeartbeatRefused):
                heartbeats.heartbeat(
                    user_named("member_a"), lesson.id, FORGED, now=MINUTE + timedelta(seconds=beat)
                )
        lesson_id = lesson.id
        assert db.session.scalar(select(func.count(HeartbeatRefusal.id))) == 1
    auth.login("admin")
    page = client.get(f"/progress/refusals?lesson={lesson_id}").get_data(as_text=True)
    assert '<td data-testid="refusal-count">7</td>' in page


def test_heartbeats_with_the_page_s_viewing_token_share_the_member_s_limit(app, world):
    """The player's lean path (a viewing token, no cookie) is limited per member like the session path."""
    with app.app_context():
        lesson = make_video_lesson(duration=600)
        lesson_id, slug = lesson.id, lesson.course.slug
    client, token = signed_in(app)
    page = client.get(f"/courses/{slug}/lessons/{lesson_id}").get_data(as_text=True)
    viewing_token = re.search(r'data-viewing-token="([^"]+)"', page).group(1)
    statuses = [
        app.test_client()
        .post(
            f"/api/v1/lessons/{lesson_id}/heartbeat",
            json=FORGED,
            headers={"Authorization": f"Bearer {viewing_token}"},
        )
        .status_code
        for _ in range(20)
    ] + [
        client.post(
            f"/api/v1/lessons/{lesson_id}/heartbeat", json=FORGED, headers={"X-CSRFToken": token}
        ).status_code
        for _ in range(20)
    ]
    assert statuses == [422] * 30 + [429] * 10
