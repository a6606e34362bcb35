"""Offline credit stays honest: an honest log counts as offline evidence; a tampered one earns
nothing and is kept with its reason."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.offline import services
from app.offline.models import OfflinePlay, OfflineUpload
from app.org.models import OrgUnit
from app.progress import heartbeats, ledger, verify
from app.progress.models import HourEntry, LessonProgress
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.courses import make_video_lesson
from tests.factories.offline import grant, log, play

T0 = utcnow().replace(microsecond=0) - timedelta(hours=2)


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def upload(payload, seconds: float, member: str = "member_a"):
    return services.upload_log(user_named(member), payload, now=at(seconds))


def refused(payload, seconds: float, member: str = "member_a") -> str:
    with pytest.raises(services.OfflineRefused) as refusal:
        upload(payload, seconds, member)
    return refusal.value.reason


def verified(lesson, member: str = "member_a") -> float:
    return heartbeats.figures(user_named(member), lesson).verified_seconds


def test_an_honest_offline_log_completes_the_lesson_as_offline_evidence_in_the_ledger(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        token = grant(lesson, at=at(0))
        # Watched on a train: 60 s, a pause, the remaining 40 s at 1.5×.
        plays = [play(0, 60, at(10)), play(60, 100, at(100), seconds=27)]
        credited = upload(log(token, plays), 300)
        assert (credited.status, credited.played_seconds, credited.new_seconds) == ("credited", 100, 100)
        assert credited.completed
        member = user_named("member_a")
        assert db.session.scalar(
            select(LessonProgress.completed_at).where(LessonProgress.user_id == member.id)
        )
        report = ledger.ledger_report(member, ledger.local_year(at(300)))
        assert [entry["offline_evidence"] for entry in report["entries"]] == [True]
        assert report["total"] == "2"  # the course's hours, on offline evidence


def test_offline_plays_already_watched_online_add_nothing_new(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        member = user_named("member_a")
        session = heartbeats.open_session(member, lesson, now=at(0))
        heartbeats.heartbeat(member, lesson.id, {"start": 0, "end": 10, "session": session}, now=at(10))
        token = grant(lesson, at=at(20))
        credited = upload(log(token, [play(0, 30, at(30))]), 100)
        assert (credited.played_seconds, credited.new_seconds) == (30, 20)
        assert verified(lesson) == 30


def test_a_replayed_log_earns_nothing_and_is_recorded(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        token = grant(lesson, at=at(0))
        plays = [play(0, 40, at(10))]
        first = upload(log(token, plays), 100)
        # Sent again unchanged (the device did not hear the answer): the same upload, nothing new.
        assert upload(log(token, plays), 150).id == first.id
        more = [*plays, play(40, 80, at(60))]
        assert refused(log(token, more), 200) == "replayed"  # the same log id with more in it
        assert refused(log(token, plays, log_id="log-2"), 200) == "replayed"  # its plays, renamed
        assert verified(lesson) == 40
        assert db.session.scalar(select(func.count()).select_from(OfflinePlay)) == 1


@pytest.mark.parametrize(
    ("plays", "reason"),
    [
        # (media start, media end, began at, lasted): 100 s of media in 20 s is 5×, the limit 1.5×.
        ([(0, 100, 10, 20)], "faster_than_allowed"),
        # Two plays at once (two tabs, or a forged log).
        ([(0, 50, 10, 50), (50, 100, 30, 50)], "overlapping_plays"),
        # Played before the download was granted, or after the upload (on the server's clock).
        ([(0, 50, -100, 50)], "outside_grant"),
        ([(0, 50, 290, 50)], "outside_grant"),
    ],
)
def test_a_tampered_log_earns_nothing_and_is_recorded_with_its_reason(app, world, plays, reason):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        token = grant(lesson, at=at(0))
        sent = [play(start, end, at(begun), seconds) for start, end, begun, seconds in plays]
        assert refused(log(token, sent), 300) == reason
        assert_earned_nothing(lesson, reason)


def assert_earned_nothing(lesson, reason: str) -> None:
    assert verified(lesson) == 0
    assert db.session.scalar(select(func.count()).select_from(HourEntry)) == 0
    kept = db.session.scalars(select(OfflineUpload).where(OfflineUpload.status == "refused")).one()
    assert kept.reason == reason


def test_the_device_clock_is_trusted_only_for_lengths_and_gaps(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        token = grant(lesson, at=at(0))
        # The phone's clock runs an hour behind: its times are moved by the offset it reports.
        late = timedelta(hours=1)
        sent = [play(0, 50, at(10) - late)]
        assert refused(log(token, sent), 300) == "outside_grant"
        fixed = {**log(token, sent, log_id="log-2"), "device_time": (at(300) - late).isoformat() + "Z"}
        assert upload(fixed, 300).status == "credited"


def test_offline_credit_cannot_exceed_server_time_since_the_grant_times_the_speed(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=1000)
        token = grant(lesson, at=at(0))
        # A device claiming its clock is 10 minutes ahead of the server's cannot stretch the window.
        sent = [play(0, 600, at(0), 600)]
        payload = {**log(token, sent), "device_time": (at(100) + timedelta(minutes=10)).isoformat() + "Z"}
        assert refused(payload, 100) in {"outside_grant", "exceeds_elapsed"}
        assert verified(lesson) == 0


def test_offline_plays_overlapping_time_credited_online_earn_nothing(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        other = make_video_lesson("other-course", duration=600)
        member = user_named("member_a")
        token = grant(lesson, at=at(0))
        # Online, another lesson earns credit from 100 s to 160 s; then a new page supersedes it.
        session = heartbeats.open_session(member, other, now=at(100))
        for second in range(110, 170, 10):
            heartbeats.heartbeat(
                member,
                other.id,
                {"start": second - 110, "end": second - 100, "session": session},
                now=at(second),
            )
        heartbeats.open_session(member, other, now=at(200))
        assert refused(log(token, [play(0, 50, at(120))]), 300) == "overlaps_online"
        assert verified(lesson) == 0


def test_offline_plays_overlapping_the_current_online_session_earn_nothing(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        other = make_video_lesson("other-course", duration=600)
        member = user_named("member_a")
        token = grant(lesson, at=at(0))
        session = heartbeats.open_session(member, other, now=at(100))
        heartbeats.heartbeat(member, other.id, {"start": 0, "end": 10, "session": session}, now=at(110))
        assert refused(log(token, [play(0, 50, at(90))]), 300) == "overlaps_online"


def test_two_downloaded_lessons_cannot_be_credited_for_the_same_time(app, world):
    with app.app_context():
        first = make_video_lesson(duration=100)
        second = make_video_lesson("other-course", duration=100)
        first_grant, second_grant = grant(first, at=at(0)), grant(second, at=at(0))
        upload(log(first_grant, [play(0, 50, at(10))]), 300)
        assert refused(log(second_grant, [play(0, 50, at(30))]), 300) == "overlaps_offline"
        assert verified(second) == 0


def test_a_grant_is_the_members_own_and_cannot_be_altered(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        token = grant(lesson, at=at(0))
        assert refused(log(token, [play(0, 50, at(10))]), 300, member="member_b") == "bad_grant"
        forged = token.replace(f".{lesson.id}.", f".{lesson.id + 1}.", 1)
        assert refused(log(forged, [play(0, 50, at(10))]), 300) == "bad_grant"
        assert verified(lesson) == 0


def test_a_unit_can_switch_offline_credit_off_for_its_subtree(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        token = grant(lesson, at=at(0))
        committee = db.session.get(OrgUnit, world.committee_a)
        services.set_unit_setting(committee, False, user_named("sec_a"))
        branch = user_named("member_a").unit
        assert services.unit_setting(branch)[0] is False  # inherited from the committee
        assert refused(log(token, [play(0, 50, at(10))]), 300) == "offline_credit_off"
        services.set_unit_setting(branch, True, user_named("sec_a"))
        assert upload(log(token, [play(0, 50, at(10))], log_id="log-2"), 300).status == "credited"


def test_progress_verify_finds_offline_plays_that_broke_the_rules(app, world):
    with app.app_context():
        lesson = make_video_lesson(duration=100)
        token = grant(lesson, at=at(0))
        upload(log(token, [play(0, 40, at(10)), play(40, 80, at(60))]), 300)
        year = ledger.local_year(at(300))
        assert verify.verify(year) == []
        # Rows changed behind the rules' back (by hand in the database): verify says so.
        first, second = db.session.scalars(select(OfflinePlay).order_by(OfflinePlay.id)).all()
        second.played_from = first.played_from
        first.played_from = at(-50)
        db.session.commit()
        assert {found.kind for found in verify.verify(year)} == {
            "offline_play_outside_grant",
            "offline_plays_overlap",
        }
