"""Live lessons without a streaming server: the callbacks' rules, attendance credit, questions."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.courses.models import LessonKind
from app.extensions import db
from app.live import attendance, questions, services, streaming
from app.live.models import LiveAttendance
from app.live.services import LiveError, PublishRefused
from app.progress.models import HourEntry, LessonProgress
from app.progress.watching.refusals import HeartbeatRefused
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.live import broadcast, make_live_lesson, stream_key


def _publish(lesson, key, now=None, name=None):
    services.authorize_publish(name or f"lesson-{lesson.id}", key, "127.0.0.1", "7", now or utcnow())


def test_the_folder_format_schedules_a_live_lesson(app, world):
    with app.app_context():
        start = utcnow().replace(microsecond=0) + timedelta(hours=2)
        lesson = make_live_lesson(start, minutes=60)
        assert lesson.kind is LessonKind.LIVE
        assert lesson.live_starts_at == start
        assert lesson.live_speaker == "张老师"
        assert lesson.estimated_minutes == 60


@pytest.mark.parametrize(
    ("key", "offset_minutes", "refused"),
    [
        ("right", 0, False),
        ("wrong", 0, True),
        ("", 0, True),
        ("right", -31, True),  # more than LIVE_EARLY_MINUTES before the start
        ("right", 45 + 61, True),  # more than LIVE_LATE_MINUTES after the planned end
        ("right", -29, False),
    ],
)
def test_a_publish_needs_the_lessons_key_inside_its_window(app, world, key, offset_minutes, refused):
    with app.app_context():
        start = utcnow()
        lesson = make_live_lesson(start, minutes=45)
        secret = stream_key(lesson) if key == "right" else key
        when = start + timedelta(minutes=offset_minutes)
        if refused:
            with pytest.raises(PublishRefused):
                _publish(lesson, secret, when)
            assert services.live_view(lesson).state == services.SCHEDULED
        else:
            _publish(lesson, secret, when)
            assert services.live_view(lesson).state == services.LIVE


def test_another_lessons_key_is_refused_and_a_new_key_retires_the_old(app, world):
    with app.app_context():
        lesson = make_live_lesson()
        other = make_live_lesson(slug="other-live")
        with pytest.raises(PublishRefused):
            _publish(lesson, stream_key(other))
        old = stream_key(lesson)
        services.regenerate_key(lesson)
        with pytest.raises(PublishRefused):
            _publish(lesson, old)
        _publish(lesson, stream_key(lesson))


def test_the_app_records_when_the_broadcast_really_started_and_ended(app, world):
    with app.app_context():
        start = utcnow().replace(microsecond=0)
        lesson = make_live_lesson(start)
        broadcast(lesson, start + timedelta(minutes=3), 40)
        view = services.live_view(lesson)
        assert view.state == services.ENDED
        assert view.started_at == start + timedelta(minutes=3)
        assert view.ended_at == start + timedelta(minutes=3, seconds=40)


def _on_air(start):
    """A live lesson broadcasting since ``start``, and member_a's viewing session opened then."""
    lesson = make_live_lesson(start)
    member = user_named("member_a")
    session = attendance.open_viewing(member, lesson, start)
    _publish(lesson, stream_key(lesson), start)
    return lesson, member, session


def _beat(member, lesson, session, sequence, seconds, now):
    payload = {"seconds": seconds, "session": session, "sequence": sequence}
    return attendance.heartbeat(member, lesson.id, payload, now)


def test_attendance_counts_wall_clock_time_inside_the_broadcast(app, world):
    """Watching 24 s of a 40 s broadcast: 60% attended, no completion at the 80% rule."""
    with app.app_context():
        start = utcnow().replace(microsecond=0)
        lesson, member, session = _on_air(start)
        for sequence in range(1, 7):  # every 4 s for the first 24 s
            _beat(member, lesson, session, sequence, 4, start + timedelta(seconds=4 * sequence))
        services.publish_done(f"lesson-{lesson.id}", start + timedelta(seconds=40))
        figures = attendance.figures(member, lesson, start + timedelta(seconds=60))
        assert figures.broadcast_seconds == pytest.approx(40)
        assert figures.share == pytest.approx(0.6)
        assert not figures.completed
        assert db.session.scalar(select(HourEntry).where(HourEntry.user_id == member.id)) is None


def test_attending_the_share_completes_the_lesson_when_the_broadcast_ends(app, world):
    with app.app_context():
        start = utcnow().replace(microsecond=0)
        lesson, member, session = _on_air(start)
        for sequence in range(1, 9):  # 32 s of a 40 s broadcast
            _beat(member, lesson, session, sequence, 4, start + timedelta(seconds=4 * sequence))
        assert not attendance.figures(member, lesson, start + timedelta(seconds=33)).completed
        services.publish_done(f"lesson-{lesson.id}", start + timedelta(seconds=40))
        progress = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == member.id))
        assert progress.completed_at is not None


def test_a_heartbeat_cannot_earn_faster_than_real_time_or_from_a_second_tab(app, world):
    with app.app_context():
        start = utcnow().replace(microsecond=0)
        lesson, member, first = _on_air(start)
        _beat(member, lesson, first, 1, 10, start + timedelta(seconds=10))
        with pytest.raises(HeartbeatRefused) as refused:  # 30 s claimed 1 s later: over the budget
            _beat(member, lesson, first, 2, 30, start + timedelta(seconds=11))
        assert refused.value.reason == "faster_than_real_time"
        attendance.open_viewing(member, lesson, start + timedelta(seconds=12))  # a second tab
        with pytest.raises(HeartbeatRefused) as refused:
            _beat(member, lesson, first, 3, 5, start + timedelta(seconds=17))
        assert refused.value.reason == "superseded"
        row = db.session.scalar(select(LiveAttendance))
        assert row.attended_seconds == pytest.approx(10)


def test_no_attendance_before_the_broadcast_starts(app, world):
    with app.app_context():
        start = utcnow().replace(microsecond=0)
        lesson = make_live_lesson(start)
        member = user_named("member_a")
        session = attendance.open_viewing(member, lesson, start)
        with pytest.raises(HeartbeatRefused) as refused:
            _beat(member, lesson, session, 1, 5, start + timedelta(seconds=5))
        assert refused.value.reason == "not_live"


def test_members_ask_during_the_broadcast_and_see_answers(app, world):
    with app.app_context():
        lesson = make_live_lesson()
        member, other, trainer = user_named("member_a"), user_named("member_b"), user_named("trainer")
        with pytest.raises(LiveError):
            questions.ask(member, lesson, "还没开始可以提问吗？")
        _publish(lesson, stream_key(lesson))
        asked = questions.ask(member, lesson, "如何理解新发展理念？")
        questions.ask(other, lesson, "另一个问题")
        assert [q["body"] for q in questions.questions_for(member, lesson, host=False)] == [
            "如何理解新发展理念？"
        ]
        assert len(questions.questions_for(trainer, lesson, host=True)) == 2
        questions.answer(trainer, lesson, asked.id, "创新、协调、绿色、开放、共享。")
        questions.pin(lesson, asked.id)
        seen = questions.questions_for(other, lesson, host=False)
        assert seen[0]["answer"] == "创新、协调、绿色、开放、共享。"
        assert seen[0]["pinned"] and not seen[0]["mine"]


def test_signed_links_name_the_member_the_stream_and_an_expiry(app, world):
    with app.app_context():
        url = streaming.playlist_url(12, 34)
        signature, expires, member, stream, name = url.split("/")[-5:]
        assert (member, stream, name) == ("34", "lesson-12", "index.m3u8")
        assert signature == streaming.link_signature(int(expires), 34, "lesson-12")
        assert streaming.link_signature(int(expires), 35, "lesson-12") != signature


def test_network_delay_neither_loses_nor_doubles_reported_seconds():
    """Reports of 10 s each arriving 0.9 s late, then 0.1 s late, then 1.5 s late: 30 s credited,
    never beyond the server's clock."""
    intervals: list = []
    for at in (100.9, 110.1, 121.5):
        start, end = attendance.credited_interval(intervals, at, 10)
        assert end <= at
        intervals = attendance.union(intervals, start, end)
    assert attendance.covered(intervals) == pytest.approx(30 - 0.8)  # the one shorter delay is lost once
    start, end = attendance.credited_interval(intervals, 200.0, 10)  # after a pause: a new stretch
    assert (start, end) == (190.0, 200.0)


def test_a_broadcast_whose_streaming_server_went_away_is_ended(app, world):
    with app.app_context():
        start = utcnow().replace(microsecond=0) - timedelta(minutes=5)
        lesson, _member, _session = _on_air(start)
        assert services.close_stale_broadcasts(start + timedelta(minutes=1)) == 0  # still young
        assert services.close_stale_broadcasts() == 1  # no playlist written for minutes
        view = services.live_view(lesson)
        assert view.state == services.ENDED and view.ended_at == start
