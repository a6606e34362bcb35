"""Live lesson pages and API: who sees the stream key, the state poll's ETag, nginx's callbacks,
the replay under each completion rule, the attendance report and a group viewing (集中收看)."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from app.extensions import db
from app.live import attendance, reports, services, streaming
from app.progress.models import LessonProgress, SessionKind
from app.progress.watching.heartbeats import heartbeat, open_session
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.live import broadcast, make_live_lesson, stream_key
from tests.factories.media import make_ready_video
from tests.web import csrf_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(("username", "sees_key"), [("trainer", True), ("admin", True), ("member_a", False)])
def test_only_the_courses_trainer_sees_the_stream_key(app, world, client, auth, username, sees_key):
    with app.app_context():
        lesson = make_live_lesson(utcnow() + timedelta(hours=1))
        key, lesson_id = stream_key(lesson), lesson.id
    auth.login(username)
    page = client.get(f"/live/lessons/{lesson_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert (key in text) is sees_key
    assert 'data-state="scheduled"' in text
    assert "media-src 'self' blob:" in page.headers["Content-Security-Policy"]


def test_the_course_page_link_opens_the_live_page(app, world, client, auth):
    with app.app_context():
        lesson = make_live_lesson()
        url = f"/courses/{lesson.course.slug}/lessons/{lesson.id}"
        lesson_id = lesson.id
    auth.login("member_a")
    assert client.get(url).headers["Location"].endswith(f"/live/lessons/{lesson_id}")


def test_a_new_key_from_the_page_retires_the_old_one(app, world, client, auth):
    with app.app_context():
        lesson = make_live_lesson()
        old, lesson_id = stream_key(lesson), lesson.id
    auth.login("trainer")
    token = csrf_token(client, f"/live/lessons/{lesson_id}")
    client.post(f"/live/lessons/{lesson_id}/key", data={"csrf_token": token})
    with app.app_context():
        assert stream_key(services.live_lesson(lesson_id)) != old
    auth.logout()
    auth.login("member_a")
    assert (
        client.post(f"/live/lessons/{lesson_id}/key", data={"csrf_token": csrf_token(client)}).status_code
        == 403
    )


def test_the_state_poll_answers_304_until_something_changes(app, world, client, auth):
    with app.app_context():
        lesson = make_live_lesson()
        lesson_id, key = lesson.id, stream_key(lesson)
    auth.login("member_a")
    first = client.get(f"/api/v1/live/{lesson_id}/state")
    assert first.json["state"] == "scheduled" and "playlist" not in first.json
    etag = first.headers["ETag"]
    assert client.get(f"/api/v1/live/{lesson_id}/state", headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        services.authorize_publish(f"lesson-{lesson_id}", key, "127.0.0.1", "1")
    live = client.get(f"/api/v1/live/{lesson_id}/state", headers={"If-None-Match": etag})
    assert live.status_code == 200 and live.json["state"] == "live"
    assert f"/lesson-{lesson_id}/index.m3u8" in live.json["playlist"]


def test_nginx_callbacks_need_the_configured_token(app, world, client):
    with app.app_context():
        lesson = make_live_lesson()
        form = {
            "name": f"lesson-{lesson.id}",
            "key": stream_key(lesson),
            "addr": "127.0.0.1",
            "clientid": "3",
        }
        token = streaming.callback_token()
    assert client.post("/api/v1/live/rtmp/not-the-token/publish", data=form).status_code == 404
    assert client.post("/api/v1/live/rtmp/%C2%80/publish", data=form).status_code == 404  # not ASCII
    assert client.post(f"/api/v1/live/rtmp/{token}/publish", data={**form, "key": "wrong"}).status_code == 403
    assert client.post(f"/api/v1/live/rtmp/{token}/publish", data=form).status_code == 204
    assert client.post(f"/api/v1/live/rtmp/{token}/publish-done", data=form).status_code == 204
    with app.app_context():
        assert services.live_view(services.live_lesson(int(form["name"][7:]))).state == services.ENDED


def test_members_ask_and_the_trainer_answers_through_the_api(app, world, client, auth):
    with app.app_context():
        lesson = make_live_lesson()
        lesson_id = lesson.id
        broadcast_start = utcnow()
        services.authorize_publish(
            f"lesson-{lesson_id}", stream_key(lesson), "127.0.0.1", "1", broadcast_start
        )
    auth.login("member_a")
    token = csrf_token(client, "/")
    asked = client.post(
        f"/api/v1/live/{lesson_id}/questions", json={"body": "请问？？"}, headers={"X-CSRFToken": token}
    )
    assert asked.status_code == 201
    assert (
        client.post(
            f"/api/v1/live/{lesson_id}/questions", json={"body": ""}, headers={"X-CSRFToken": token}
        ).status_code
        == 422
    )
    refused = client.post(
        f"/api/v1/live/{lesson_id}/questions/{asked.json['id']}/answer",
        json={"answer": "x"},
        headers={"X-CSRFToken": token},
    )
    assert refused.status_code == 403
    auth.logout()
    auth.login("trainer")
    token = csrf_token(client, "/")
    answered = client.post(
        f"/api/v1/live/{lesson_id}/questions/{asked.json['id']}/answer",
        json={"answer": "好问题。"},
        headers={"X-CSRFToken": token},
    )
    assert answered.status_code == 200
    assert client.get(f"/api/v1/live/{lesson_id}/state").json["questions"][0]["answer"] == "好问题。"


@pytest.mark.parametrize(("rule", "completes"), [("attended", False), ("watched", True)])
def test_a_replay_completes_the_lesson_only_under_the_watched_rule(app, world, rule, completes):
    with app.app_context():
        start = utcnow() - timedelta(minutes=10)
        lesson = make_live_lesson(start, completion=rule)
        broadcast(lesson, start, 40)
        video = make_ready_video()
        lesson.video_id = video.id
        db.session.commit()
        member = user_named("member_a")
        session = open_session(member, lesson)
        now = utcnow()
        duration = float(video.duration)
        figures = heartbeat(
            member, lesson.id, {"start": 0, "end": min(10.0, duration), "session": session}, now
        )
        assert figures.verified_seconds > 0
        progress = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == member.id))
        assert (progress is not None and progress.completed_at is not None) is completes
        (row,) = [row for row in reports.live_report(lesson, None) if row.member.id == member.id]
        assert row.status == reports.WATCHED_REPLAY


def test_the_report_shows_attended_live_replay_group_viewing_and_absent(app, world, client, auth):
    with app.app_context():
        start = utcnow().replace(microsecond=0) - timedelta(minutes=5)
        lesson = make_live_lesson(start)
        lesson_id = lesson.id
        from app.courses.services import assign_course
        from app.org.models import OrgUnit

        assign_course(
            lesson.course, db.session.get(OrgUnit, world.unit_a), start.year, True, None, user_named("admin")
        )
        member = user_named("member_a")
        session = attendance.open_viewing(member, lesson, start)
        services.authorize_publish(f"lesson-{lesson_id}", stream_key(lesson), "127.0.0.1", "1", start)
        attendance.heartbeat(
            member, lesson_id, {"seconds": 5, "session": session, "sequence": 1}, start + timedelta(seconds=5)
        )
        services.publish_done(f"lesson-{lesson_id}", start + timedelta(seconds=40))
    # A secretary records a group viewing of the live lesson for the room (集中收看), from its page.
    auth.login("sec_a")
    lesson_page = client.get(f"/live/lessons/{lesson_id}").get_data(as_text=True)
    link = (
        re.search(r'href="([^"]+)" data-testid="group-viewing"', lesson_page).group(1).replace("&amp;", "&")
    )
    form_page = client.get(link)
    assert f'<option selected value="{lesson_id}">' in form_page.get_data(as_text=True)
    recorded = client.post(
        f"/progress/sessions/new/{world.unit_a1}",
        data={
            "csrf_token": csrf_token(client, f"/progress/sessions/new/{world.unit_a1}"),
            "kind": SessionKind.GROUP_VIEWING.value,
            "held_on": utcnow().date().isoformat(),
            "topic": "集中收看直播党课",
            "minutes": 45,
            "lesson_id": lesson_id,
            "attendees": [world.sec_a],
            "evidence": (BytesIO(PNG), "sheet.png"),
        },
        content_type="multipart/form-data",
    )
    assert recorded.status_code == 302, recorded.get_data(as_text=True)
    report = client.get(f"/live/lessons/{lesson_id}/report").get_data(as_text=True)
    assert 'data-testid="row-member_a" data-status="attended_live"' in report
    assert 'data-testid="row-sec_a" data-status="group_viewing"' in report
    assert "member_a2" not in report and "member_b" not in report  # outside this secretary's branch
    auth.logout()
    auth.login("trainer")  # the course's trainer sees every unit it is assigned to
    report = client.get(f"/live/lessons/{lesson_id}/report").get_data(as_text=True)
    assert 'data-testid="row-member_a2" data-status="absent"' in report
    assert 'data-testid="row-member_a" data-status="attended_live"' in report
    figures = client.get(f"/api/v1/live/{lesson_id}/report").json
    assert figures["counts"] == {"attended_live": 1, "group_viewing": 1, "watched_replay": 0, "absent": 1}
