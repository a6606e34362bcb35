"""Watching a library video (自学): verified like a video lesson, credited only where the unit's rule
says so, once, through the ledger with the completion statement as evidence."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.org.models import OrgUnit
from app.progress import verify
from app.progress.models import HourEntry, SourceKind, Statement
from app.progress.watching import heartbeats
from app.progress.watching.refusals import HeartbeatRefused
from app.selfstudy import services
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.courses import make_video_lesson
from tests.factories.library import make_resource
from tests.web import csrf_token

T0 = utcnow()


@pytest.fixture(autouse=True)
def clock():
    """Heartbeats are sent at T0 + seconds, T0 a little after the test starts: after the rules its
    setup adds (a rule applies from the moment it is added)."""
    global T0
    T0 = utcnow().replace(microsecond=0) + timedelta(minutes=10)


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def open_page(resource, member="member_a", seconds=0):
    return services.resource_player(user_named(member), resource, now=at(seconds))


def watch_through(resource, session, member="member_a", length=100, step=10):
    """Play the video from start to end, a heartbeat every ``step`` seconds of real time."""
    figures = None
    for sequence, start in enumerate(range(0, length, step), start=1):
        payload = {"start": start, "end": start + step, "session": session, "sequence": sequence}
        figures = services.heartbeat(user_named(member), resource.id, payload, now=at(start + step))
    return figures


def earn(unit_id: int, minutes_per_hour: int = 45, cap=None, earns=True):
    services.set_rule(db.session.get(OrgUnit, unit_id), earns, minutes_per_hour, cap, user_named("admin"))


def resource_entries(member="member_a") -> list[HourEntry]:
    return list(
        db.session.scalars(
            select(HourEntry).where(
                HourEntry.user_id == user_named(member).id, HourEntry.source_kind == SourceKind.RESOURCE
            )
        )
    )


def test_watching_a_resource_through_completes_it_but_earns_nothing_without_a_rule(app, world):
    with app.app_context():
        resource = make_resource("video")
        state = open_page(resource)
        figures = watch_through(resource, state["session"])
        assert figures.completed and figures.verified_seconds == 100
        assert resource_entries() == []
        completed = db.session.scalar(select(Statement).where(Statement.object_type == "resource"))
        assert completed.verb == "completed" and completed.object_id == resource.id


def test_a_units_rule_credits_the_watched_video_once_inherited_by_the_units_below(app, world):
    with app.app_context():
        earn(world.committee_a, minutes_per_hour=10)  # the committee above member_a's branch
        resource = make_resource("video")  # 100 s of video: 1/6 hour at 10 minutes an hour
        watch_through(resource, open_page(resource)["session"])
        (entry,) = resource_entries()
        assert entry.hours == Decimal("0.16")
        assert entry.rule_version == f"selfstudy/unit{world.committee_a}/v1"
        evidence = db.session.get(Statement, entry.evidence_ids[0])
        assert (evidence.verb, evidence.object_type, evidence.object_id) == (
            "completed",
            "resource",
            resource.id,
        )
        # Watching it again earns nothing more.
        again = open_page(resource, seconds=200)["session"]
        services.heartbeat(
            user_named("member_a"),
            resource.id,
            {"start": 0, "end": 10, "session": again, "sequence": 1},
            now=at(210),
        )
        assert len(resource_entries()) == 1
        # member_b's committee has no rule: the same video earns them nothing.
        watch_through(resource, open_page(resource, "member_b")["session"], "member_b")
        assert resource_entries("member_b") == []
        assert verify.verify(T0.year) == []  # the record's checks accept the self-study rule's version


def test_a_sub_unit_can_switch_self_study_hours_off_for_itself(app, world):
    with app.app_context():
        earn(world.committee_a)
        earn(world.unit_a1, earns=False)
        resource = make_resource("video")
        watch_through(resource, open_page(resource)["session"])
        assert resource_entries() == []


def test_the_yearly_cap_limits_self_study_hours(app, world):
    with app.app_context():
        earn(world.committee_a, minutes_per_hour=1, cap="2")  # 100 s is 1.66 h at one minute an hour
        first, second = make_resource("video", title="甲"), make_resource("video", title="乙")
        watch_through(first, open_page(first)["session"])
        watch_through(second, open_page(second, seconds=1000)["session"], length=100)
        assert sorted(entry.hours for entry in resource_entries()) == [Decimal("0.34"), Decimal("1.66")]


def test_heartbeats_faster_than_real_time_or_from_another_page_are_refused(app, world):
    with app.app_context():
        resource = make_resource("video")
        session = open_page(resource)["session"]
        with pytest.raises(HeartbeatRefused) as refused:
            services.heartbeat(
                user_named("member_a"),
                resource.id,
                {"start": 0, "end": 90, "session": session, "sequence": 1},
                now=at(1),
            )
        assert refused.value.reason == "faster_than_real_time"
        # A lesson page opened since supersedes the resource's viewing session: one budget per member.
        heartbeats.open_session(user_named("member_a"), make_video_lesson(), now=at(5))
        with pytest.raises(HeartbeatRefused) as superseded:
            services.heartbeat(
                user_named("member_a"),
                resource.id,
                {"start": 0, "end": 10, "session": session, "sequence": 2},
                now=at(10),
            )
        assert superseded.value.status == 409
        assert db.session.scalar(select(func.count()).select_from(HourEntry)) == 0


def test_the_resource_page_plays_the_video_with_the_verified_player(app, world, client, auth):
    with app.app_context():
        earn(world.committee_a)
        resource_id = make_resource("video").id
    auth.login("member_a")
    page = client.get(f"/library/resources/{resource_id}").get_data(as_text=True)
    assert 'data-heartbeat-url="/api/v1/resources/' in page and "js/player.js" in page
    session = re.search(r'data-session="([0-9a-f]+)"', page).group(1)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    answer = client.post(
        f"/api/v1/resources/{resource_id}/heartbeat",
        json={"start": 0, "end": 5, "session": session, "sequence": 1},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["verified_seconds"] == 5


def test_a_secretary_sets_the_self_study_rule_of_their_unit_and_it_is_audited(app, world, client, auth):
    auth.login("sec_a")
    page = f"/progress/units/{world.unit_a1}/self-study"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "earns_hours": "y",
            "minutes_per_hour": "30",
            "yearly_cap": "8",
        },
    )
    assert response.status_code == 302
    assert client.get(f"/progress/units/{world.unit_b1}/self-study").status_code == 404  # another committee's
    with app.app_context():
        rule = services.nearest_rule(db.session.get(OrgUnit, world.unit_a1))
        assert (rule.earns_hours, rule.minutes_per_hour, rule.yearly_cap) == (True, 30, Decimal("8"))
        assert (
            db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "self_study_rule"))
            == "self_study_rule.set"
        )
