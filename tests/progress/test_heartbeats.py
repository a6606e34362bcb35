"""Verified watch progress: the union of played intervals, bounded by a per-member wall-clock budget."""

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.courses.models import Lesson, LessonKind
from app.extensions import db
from app.progress.models import HeartbeatRefusal, HourEntry, LessonProgress, Statement
from app.progress.watching import heartbeats
from app.progress.watching.heartbeats import HeartbeatRefused
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.courses import make_course, make_video_lesson
from tests.web import csrf_token

T0 = utcnow().replace(microsecond=0)


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def beat(lesson, start, end, seconds, member="member_a", **extra):
    return heartbeats.heartbeat(
        user_named(member), lesson.id, {"start": start, "end": end, **extra}, now=at(seconds)
    )


def refusals(reason: str | None = None) -> int:
    """Refused heartbeats stored (rows count the refusals of their minute)."""
    statement = select(func.coalesce(func.sum(HeartbeatRefusal.count), 0))
    if reason:
        statement = statement.where(HeartbeatRefusal.reason == reason)
    return db.session.scalar(statement)


# --- the service ----------------------------------------------------------------------------------


def test_credit_is_the_union_of_played_intervals_not_their_sum(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        session = heartbeats.open_session(user_named("member_a"), lesson, now=at(0))
        beat(lesson, 0, 10, 10, session=session)
        beat(lesson, 5, 15, 20, session=session)  # overlaps: only 5 new seconds
        figures = beat(lesson, 0, 10, 30, session=session)  # watched again: nothing new
        assert figures.accepted_seconds == 10
        assert figures.verified_seconds == 15
        assert figures.coverage == pytest.approx(0.15)
        assert figures.resume_at == 10
        assert not figures.completed


def test_rapid_heartbeats_cannot_run_faster_than_the_allowed_speed(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=600)
        session = heartbeats.open_session(user_named("member_a"), lesson, now=at(0))
        position, accepted = 0.0, 0.0
        for second in range(1, 61):  # a heartbeat every second, each claiming five seconds of media
            try:
                accepted += beat(lesson, position, position + 5, second, session=session).accepted_seconds
                position += 5
            except HeartbeatRefused as refusal:
                assert refusal.status == 422
        allowed = 15 + 1.5 * 60  # the opening tolerance, then 1.5 s of media per second of server time
        assert accepted <= allowed
        assert heartbeats.figures(user_named("member_a"), lesson).verified_seconds == accepted
        assert refusals("faster_than_real_time") > 0


def test_waiting_then_claiming_the_wait_is_refused_because_the_budget_is_capped(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=1200)
        session = heartbeats.open_session(user_named("member_a"), lesson, now=at(0))
        with pytest.raises(HeartbeatRefused) as refused:
            beat(lesson, 0, 600, 600, session=session)  # ten minutes later, ten minutes claimed
        assert refused.value.status == 422
        assert heartbeats.figures(user_named("member_a"), lesson).verified_seconds == 0
        assert beat(lesson, 0, 10, 601, session=session).verified_seconds == 10


def test_a_refused_heartbeat_spends_no_budget(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=600)
        session = heartbeats.open_session(user_named("member_a"), lesson, now=at(0))
        with pytest.raises(HeartbeatRefused):
            beat(lesson, 0, 100, 10, session=session)
        # 15 s tolerance + 10 s × 1.5 = 30 s: still all there after the refusal.
        assert beat(lesson, 0, 30, 10, session=session).accepted_seconds == 30


def test_opening_sessions_again_does_not_grant_the_tolerance_again(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=600)
        member = user_named("member_a")
        session = heartbeats.open_session(member, lesson, now=at(0))
        beat(lesson, 0, 15, 0, session=session)  # the whole opening tolerance spent at once
        session = heartbeats.open_session(member, lesson, now=at(1))
        with pytest.raises(HeartbeatRefused):
            beat(lesson, 15, 30, 1, session=session)
        assert beat(lesson, 15, 16.5, 1, session=session).accepted_seconds == 1.5


def test_a_replayed_sequence_number_is_refused_and_earns_nothing(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        session = heartbeats.open_session(user_named("member_a"), lesson, now=at(0))
        beat(lesson, 0, 10, 10, session=session, sequence=1)
        for start, end in ((0, 10), (10, 20)):  # the same heartbeat again, or a new one with an old number
            with pytest.raises(HeartbeatRefused) as refused:
                beat(lesson, start, end, 20, session=session, sequence=1)
            assert refused.value.status == 409 and refused.value.reason == "replayed"
        assert heartbeats.figures(user_named("member_a"), lesson).verified_seconds == 10
        assert beat(lesson, 10, 20, 20, session=session, sequence=2).verified_seconds == 20
        assert refusals("replayed") == 2


def test_the_latest_viewing_session_wins_and_the_superseded_one_earns_nothing(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        other = make_video_lesson("other-course", duration=100)
        member = user_named("member_a")
        first = heartbeats.open_session(member, lesson, now=at(0))
        second = heartbeats.open_session(member, other, now=at(1))
        with pytest.raises(HeartbeatRefused) as refused:
            beat(lesson, 0, 10, 10, session=first)
        assert refused.value.status == 409 and refused.value.reason == "superseded"
        assert beat(other, 0, 10, 10, session=second).verified_seconds == 10
        assert heartbeats.figures(member, lesson).verified_seconds == 0


def test_completion_at_ninety_percent_is_written_once_and_credits_the_hours_once(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100, credit_hours="2")
        member = user_named("member_a")
        session = heartbeats.open_session(member, lesson, now=at(0))
        for step in range(8):  # 0-80 s: not yet
            figures = beat(lesson, step * 10, step * 10 + 10, 10 * (step + 1), session=session)
        assert not figures.completed
        figures = beat(lesson, 80, 89.9, 90, session=session)
        assert not figures.completed  # 89.9 s of 100: compared in seconds, not a rounded percent
        figures = beat(lesson, 89.9, 90, 91, session=session)
        assert figures.completed and figures.verified_seconds == pytest.approx(90)
        completed_at = db.session.scalar(select(LessonProgress.completed_at))
        beat(lesson, 0, 10, 120, session=session)  # watching again adds nothing
        beat(lesson, 90, 100, 130, session=session)
        assert db.session.scalar(select(LessonProgress.completed_at)) == completed_at
        completions = select(func.count(Statement.id)).where(Statement.verb == "completed")
        assert db.session.scalar(completions.where(Statement.object_type == "lesson")) == 1
        entries = db.session.scalars(select(HourEntry).where(HourEntry.user_id == member.id)).all()
        assert [str(entry.hours) for entry in entries] == ["2.00"]


def test_a_lesson_whose_video_is_not_ready_earns_nothing(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        lesson.video.duration = None
        db.session.commit()
        with pytest.raises(HeartbeatRefused) as refused:
            beat(lesson, 0, 5, 5)
        assert refused.value.reason == "video_not_ready"


# --- the HTTP contract ----------------------------------------------------------------------------


def post(client, lesson_id, payload, token):
    return client.post(f"/api/v1/lessons/{lesson_id}/heartbeat", json=payload, headers={"X-CSRFToken": token})


def signed_in(app, client, auth, **lesson_overrides):
    with app.app_context():
        lesson_id = make_video_lesson(**lesson_overrides).id
    auth.login("member_a")
    return lesson_id, csrf_token(client, "/")


def test_a_client_sending_only_start_and_end_gets_the_figures(app, client, auth, world):
    lesson_id, token = signed_in(app, client, auth)
    answer = post(client, lesson_id, {"start": 0, "end": 5}, token)
    assert answer.status_code == 200
    assert answer.json == {
        "accepted_seconds": 5,
        "verified_seconds": 5,
        "coverage": 0.05,
        "completed": False,
        "resume_at": 5,
    }
    assert client.get(f"/api/v1/lessons/{lesson_id}/progress").json == {**answer.json, "accepted_seconds": 0}


def test_a_forged_heartbeat_claiming_the_whole_video_is_refused_and_recorded(app, client, auth, world):
    lesson_id, token = signed_in(app, client, auth, duration=600)
    answer = post(client, lesson_id, {"start": 0, "end": 600}, token)
    assert answer.status_code == 422
    assert client.get(f"/api/v1/lessons/{lesson_id}/progress").json["verified_seconds"] == 0
    with app.app_context():
        refusal = db.session.scalars(select(HeartbeatRefusal)).one()
        assert refusal.reason == "faster_than_real_time" and refusal.payload == {"start": 0, "end": 600}


@pytest.mark.parametrize(
    "payload, reason",
    [
        ({"start": 0, "end": 5, "percent": 100}, "unknown_field"),
        ({"start": 0, "end": 5, "ended": True}, "unknown_field"),
        ({"start": 5, "end": 5}, "bad_interval"),
        ({"start": -1, "end": 5}, "bad_interval"),
        ({"start": "0", "end": 5}, "bad_interval"),
        ({"start": 90, "end": 105}, "beyond_duration"),
        ([0, 5], "not_an_object"),
        ({"start": 0, "end": float("nan")}, "not_json"),  # NaN is not JSON: the reader refuses it
    ],
)
def test_malformed_heartbeats_are_refused_with_422_and_recorded(app, client, auth, world, payload, reason):
    lesson_id, token = signed_in(app, client, auth)
    assert post(client, lesson_id, payload, token).status_code == 422
    with app.app_context():
        assert refusals(reason) == 1


def test_the_page_session_supersedes_an_older_tab(app, client, auth, world):
    lesson_id, token = signed_in(app, client, auth)
    with app.app_context():
        slug = db.session.get(Lesson, lesson_id).course.slug

    def open_page():
        page = client.get(f"/courses/{slug}/lessons/{lesson_id}").get_data(as_text=True)
        return re.search(r'data-session="([0-9a-f]+)"', page).group(1)

    old_tab, new_tab = open_page(), open_page()
    assert (
        post(client, lesson_id, {"start": 0, "end": 5, "session": old_tab, "sequence": 1}, token).status_code
        == 409
    )
    answer = post(client, lesson_id, {"start": 0, "end": 5, "session": new_tab, "sequence": 1}, token)
    assert answer.status_code == 200 and answer.json["verified_seconds"] == 5


def test_the_heartbeat_api_refuses_a_lesson_the_member_may_not_see(app, client, auth, world):
    with app.app_context():
        draft = make_video_lesson("draft-course", published=False)
        text = make_course("text-course").modules[0].lessons[0]
        assert text.kind is LessonKind.TEXT
        ids = [draft.id, text.id, 999999, 2**40]
    auth.login("member_a")
    token = csrf_token(client, "/")
    for lesson_id in ids:
        assert post(client, lesson_id, {"start": 0, "end": 5}, token).status_code == 404
        assert client.get(f"/api/v1/lessons/{lesson_id}/progress").status_code == 404
    with app.app_context():
        assert refusals("not_visible") == 4


def test_the_heartbeat_api_needs_a_signed_in_member(app, client, world):
    assert client.get("/api/v1/lessons/1/progress").status_code == 401


def test_concurrent_heartbeats_cannot_spend_the_same_budget_twice(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=600)
        session = heartbeats.open_session(user_named("member_a"), lesson, now=at(0))
        lesson_id = lesson.id
    barrier = threading.Barrier(4)
    outcomes: list[float | str] = []  # seconds accepted, or the refusal's reason

    def client(start: float) -> None:
        with app.app_context():
            member = user_named("member_a")
            barrier.wait()
            try:
                payload = {"start": start, "end": start + 15, "session": session}
                outcomes.append(heartbeats.heartbeat(member, lesson_id, payload, now=at(0)).accepted_seconds)
            except HeartbeatRefused as refusal:
                outcomes.append(refusal.reason)

    threads = [threading.Thread(target=client, args=(offset * 15.0,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 4 and outcomes.count(15) == 1  # the opening tolerance, spent once
    with app.app_context():
        assert (
            heartbeats.figures(user_named("member_a"), db.session.get(Lesson, lesson_id)).verified_seconds
            == 15
        )
        assert refusals() == 3


def test_concurrent_heartbeats_with_budget_for_both_lose_no_accepted_second(app, world):
    """Two heartbeats of one member at once, each affordable: every second answered as accepted is in
    the verified union (a heartbeat that waited for the other one must not write stale intervals)."""
    with app.app_context():
        lesson = make_video_lesson(duration=600)
        session = heartbeats.open_session(user_named("member_a"), lesson, now=at(0))
        lesson_id = lesson.id
    accepted: list[float] = []
    refused: list[str] = []

    def client(barrier: threading.Barrier, start: float, seconds: float) -> None:
        with app.app_context():
            member = user_named("member_a")
            barrier.wait()
            try:
                payload = {"start": start, "end": start + 10, "session": session}
                accepted.append(
                    heartbeats.heartbeat(member, lesson_id, payload, now=at(seconds)).accepted_seconds
                )
            except HeartbeatRefused as refusal:
                refused.append(refusal.reason)

    for round_ in range(1, 6):  # the budget refills to its cap (30 s) between rounds: both are affordable
        barrier = threading.Barrier(2)
        starts = (round_ * 100.0, round_ * 100.0 + 10)
        threads = [threading.Thread(target=client, args=(barrier, start, round_ * 30.0)) for start in starts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    with app.app_context():
        verified = heartbeats.figures(
            user_named("member_a"), db.session.get(Lesson, lesson_id)
        ).verified_seconds
    assert accepted and set(refused) <= {"concurrent"}
    assert verified == sum(accepted)


def test_refusals_are_listed_for_the_course_s_editors_and_no_one_else(app, client, auth, world):
    lesson_id, token = signed_in(app, client, auth, duration=600, owner=None)  # imported, admins' only
    post(client, lesson_id, {"start": 0, "end": 600}, token)
    assert client.get("/progress/refusals").status_code == 403  # a member
    auth.logout()
    auth.login("trainer")  # a trainer, but not of this course
    assert 'data-testid="refusals"' not in client.get("/progress/refusals").get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    page = client.get(f"/progress/refusals?lesson={lesson_id}").get_data(as_text=True)
    assert 'data-testid="refusals"' in page and "甲党员" in page and '"end": 600' in page


def test_every_refusal_reason_the_code_can_store_has_a_label_on_the_refusals_page():
    """The page shows trainers a sentence per reason, not the reason's code."""
    from app.progress.views import REFUSAL_LABELS

    app_dir = Path(__file__).resolve().parents[2] / "app"
    reasons = set()
    for source in app_dir.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        reasons |= set(re.findall(r'HeartbeatRefused\(\d+, "([a-z_]+)"', text))
    # The JSON body reader's reasons (app/inputs.py), stored as refusals too.
    reasons |= set(
        re.findall(
            r'"(not_json|not_an_object|too_deep|too_large|number_out_of_range)"',
            (app_dir / "inputs.py").read_text(encoding="utf-8"),
        )
    )
    assert len(reasons) > 15
    assert reasons - set(REFUSAL_LABELS) == set()
