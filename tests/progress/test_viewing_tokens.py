"""Viewing tokens: signed, bound to member, session version, lesson and viewing session, expiring."""

import re
from datetime import timedelta

import pytest
from flask import request_started
from sqlalchemy import event, select

from app.auth import services
from app.auth.models import User
from app.courses.models import Course, Lesson
from app.extensions import db
from app.progress.models import HeartbeatRefusal
from app.progress.watching import heartbeats, viewing
from app.timeutil import utcnow
from tests.factories.auth import PASSWORD
from tests.factories.courses import make_video_lesson


def test_a_minted_token_reads_back_its_claim(app):
    with app.app_context():
        token = viewing.mint(7, 3, 42, "a" * 32)
        assert viewing.is_viewing_token(token)
        assert viewing.read(token) == viewing.ViewingClaim(7, 3, 42, "a" * 32)


def test_a_token_changed_in_any_part_or_signed_with_another_key_reads_as_nothing(app):
    with app.app_context():
        token = viewing.mint(7, 3, 42, "a" * 32)
        parts = token.split(".")
        for index, forged in ((1, "8"), (2, "4"), (3, "43"), (4, "b" * 32), (5, str(int(parts[5]) + 3600))):
            assert viewing.read(".".join([*parts[:index], forged, *parts[index + 1 :]])) is None
        assert viewing.read(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
        assert viewing.read("pv1.garbage") is None and viewing.read("psk_abc") is None
        app.config["SECRET_KEY"] = "another-secret-key-of-the-right-length-00"
        assert viewing.read(token) is None


def test_a_token_expires(app):
    with app.app_context():
        token = viewing.mint(7, 3, 42, "a" * 32, now=utcnow() - timedelta(minutes=241))
        assert viewing.read(token) is None
        assert viewing.read(viewing.mint(7, 3, 42, "a" * 32, now=utcnow() - timedelta(minutes=239)))


# --- the lean heartbeat path ------------------------------------------------------------------------


def open_lesson_page(app, client, auth, username="member_a", slug="video-course"):
    """Sign in, open the video lesson's page as a browser does; return (lesson id, viewing token)."""
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).join(Lesson.course).where(Course.slug == slug))
        lesson_id = lesson.id
    auth.login(username)
    page = client.get(f"/courses/{slug}/lessons/{lesson_id}").get_data(as_text=True)
    return lesson_id, re.search(r'data-viewing-token="([^"]+)"', page).group(1)


def beat(app, lesson_id: int, token: str, start: float, end: float, sequence: int):
    """A heartbeat as the player sends it: the viewing token, and no cookie at all."""
    return app.test_client().post(
        f"/api/v1/lessons/{lesson_id}/heartbeat",
        json={"start": start, "end": end, "sequence": sequence},
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def video(app, world):
    with app.app_context():
        return make_video_lesson(duration=100).id


def test_the_player_s_heartbeats_count_with_the_viewing_token_and_no_cookie(app, client, auth, video):
    lesson_id, token = open_lesson_page(app, client, auth)
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731 -- the SQL each request runs
    event.listen(engine, "before_cursor_execute", listener)
    try:
        answer = beat(app, lesson_id, token, 0, 5, 1)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert answer.status_code == 200 and answer.get_json()["verified_seconds"] == 5
    assert "Set-Cookie" not in answer.headers  # no session was opened for it
    assert len(statements) == 3  # the one read and the two writes: no account, no session, no token row
    assert beat(app, lesson_id, token, 5, 10, 2).get_json()["verified_seconds"] == 10


def test_a_forged_or_expired_viewing_token_is_refused(app, client, auth, video):
    lesson_id, token = open_lesson_page(app, client, auth)
    forged = token.replace(".", ".9", 1)
    assert beat(app, lesson_id, forged, 0, 5, 1).get_json() == {"error": "bad_token"}
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "member_a"))
        old = viewing.mint(user_id, 1, lesson_id, "a" * 32, now=utcnow() - timedelta(days=1))
    assert beat(app, lesson_id, old, 0, 5, 1).status_code == 401


def test_a_viewing_token_counts_only_on_its_lesson_and_while_its_page_is_the_newest(app, client, auth, video):
    with app.app_context():
        other = make_video_lesson("other-course", duration=100).id
    lesson_id, token = open_lesson_page(app, client, auth)
    assert beat(app, other, token, 0, 5, 1).get_json()["error"] == "other_lesson"
    _same, newer = open_lesson_page(app, client, auth)  # the member opened the lesson again
    assert beat(app, lesson_id, token, 0, 5, 1).get_json()["error"] == "superseded"
    assert beat(app, lesson_id, newer, 0, 5, 1).status_code == 200


@pytest.mark.parametrize("ending", ["sign out everywhere", "password change", "deactivation"])
def test_a_viewing_token_ends_with_the_account_s_sessions(app, client, auth, video, ending):
    lesson_id, token = open_lesson_page(app, client, auth)
    with app.app_context():
        member = db.session.scalar(select(User).where(User.username == "member_a"))
        if ending == "sign out everywhere":
            services.end_all_sessions(member)
        elif ending == "password change":
            services.change_password(member, PASSWORD, "a-new-long-passphrase-2026")
        else:
            services.set_active(member, False)
    answer = beat(app, lesson_id, token, 0, 5, 1)
    assert answer.status_code == 401 and answer.get_json()["error"] == "token_ended"


def test_the_player_s_heartbeat_is_answered_beside_flask_with_the_site_s_headers(app, client, auth, video):
    """watching/lean.py: no Flask request (hooks, session, URL matching) runs for it; the cookie path
    still goes through Flask."""
    lesson_id, token = open_lesson_page(app, client, auth)
    requests = []
    listener = lambda sender, **extra: requests.append(sender)  # noqa: E731
    request_started.connect(listener, app)
    try:
        lean = beat(app, lesson_id, token, 0, 5, 1)
        assert requests == []
        assert client.get(f"/api/v1/lessons/{lesson_id}/progress").get_json()["verified_seconds"] == 5
        assert len(requests) == 1
    finally:
        request_started.disconnect(listener, app)
    assert lean.status_code == 200 and lean.mimetype == "application/json"
    assert lean.headers["Cache-Control"] == "no-store" and lean.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in lean.headers["Content-Security-Policy"]
    refused = beat(app, lesson_id, token, 5, 10, 1)  # the same sequence number again
    assert refused.status_code == 409 and refused.get_json() == {"error": "replayed"}


def test_a_hostile_body_with_a_viewing_token_gets_flask_s_answer_and_is_stored(app, client, auth, video):
    lesson_id, token = open_lesson_page(app, client, auth)
    deep = "[" * 5000 + "]" * 5000
    answer = app.test_client().post(
        f"/api/v1/lessons/{lesson_id}/heartbeat",
        data=deep,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422 and answer.get_json()["error"] == "too_deep"
    with app.app_context():
        assert db.session.scalars(select(HeartbeatRefusal.reason)).all() == ["too_deep"]


@pytest.mark.own_app
def test_an_error_in_a_lean_heartbeat_is_flask_s_500_and_credits_nothing(
    app, client, auth, video, monkeypatch
):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    lesson_id, token = open_lesson_page(app, client, auth)

    def broken_write(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(heartbeats.rows, "write", broken_write)
    answer = beat(app, lesson_id, token, 0, 5, 1)
    assert answer.status_code == 500 and answer.get_json()["error"] == "服务器出现错误"
    monkeypatch.undo()
    assert client.get(f"/api/v1/lessons/{lesson_id}/progress").get_json()["verified_seconds"] == 0
