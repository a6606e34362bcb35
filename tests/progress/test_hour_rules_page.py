"""The study hour rules page: versions added by a unit's secretary, inherited below, scoped, audited."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.org.models import OrgUnit
from app.progress import ledger
from app.progress.models import HourRule, RuleKind
from tests.factories.auth import make_user, user_named
from tests.web import csrf_token

GROUP = "甲党委/机关党总支/第一党支部/第一党小组"


def in_english(client) -> None:
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client, "/")})


def post_rule(client, path: str, bands: str, kind: str = "time_bands", exam_hours="1", minutes="40"):
    data = {
        "csrf_token": csrf_token(client, path),
        "kind": kind,
        "bands": bands,
        "exam_hours": exam_hours,
        "session_minutes_per_hour": minutes,
    }
    return client.post(path, data=data)


@pytest.fixture
def grouped(app, world):
    """A party group below sec_a's branch, with one member; the group's id."""
    with app.app_context():
        return make_user("member_g", unit_path=GROUP, name="小组党员").unit_id


def test_a_secretary_adds_a_version_that_applies_below_and_keeps_the_old_one(
    app, client, auth, world, grouped
):
    auth.login("sec_a")
    in_english(client)
    path = f"/progress/units/{world.unit_a1}/rules"
    page = client.get(path).get_data(as_text=True)
    assert (
        "The default rule: neither this unit nor a unit above has one." in page
        and 'data-testid="no-rule-history"' in page
    )
    assert "30=1\n15=0.5\n0=0.25" in page  # the form starts from the rule in effect

    response = post_rule(client, path, "30=1\n15=0.5\n0=0.25")
    assert response.status_code == 302
    response = post_rule(client, path, "45 = 2\n\n20=1\n0=0", exam_hours="1.5", minutes="50")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Version 2 of the rule applies from now on." in page
    assert "This unit's own rule, version 2." in page
    assert 'data-testid="rule-version-1"' in page and 'data-testid="rule-version-2"' in page
    assert "甲书记" in page  # who added the versions

    with app.app_context():
        for username in ("member_a", "member_g"):  # the branch and the group below it
            rule = ledger.rule_for(user_named(username))
            assert rule.kind is RuleKind.TIME_BANDS and rule.label == f"unit{world.unit_a1}/v2"
            assert rule.bands == [[0, "0"], [20, "1"], [45, "2"]]
            assert rule.lesson_hours(30) == 1 and rule.exam_hours == Decimal("1.5")
            assert rule.session_minutes_per_hour == 50
        assert ledger.rule_for(user_named("member_a2")).label == "default/v1"  # a sibling branch: untouched
        first = db.session.scalar(
            select(HourRule).where(HourRule.unit_id == world.unit_a1, HourRule.version == 1)
        )
        assert first.bands == [[0, "0.25"], [15, "0.5"], [30, "1"]] and first.exam_hours == 1
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "hour_rule.set").order_by(AuditEvent.id)
        ).all()
        assert [(event.object_id, event.actor_id) for event in events] == [
            (f"unit{world.unit_a1}/v1", world.sec_a),
            (f"unit{world.unit_a1}/v2", world.sec_a),
        ]
        assert events[1].detail["bands"] == [[0, "0"], [20, "1"], [45, "2"]]


def test_the_page_names_the_unit_the_rule_is_inherited_from(app, client, auth, world, grouped):
    with app.app_context():
        committee = db.session.get(OrgUnit, world.committee_a)
        ledger.set_rule(committee, RuleKind.COURSE_HOURS, user_named("admin"), [[0, "1"]], "0.5", 45)
    auth.login("sec_a")
    in_english(client)
    page = client.get(f"/progress/units/{grouped}/rules").get_data(as_text=True)
    assert "Inherited from 甲党委, version 1." in page
    assert "By course: a completed course credits the hours it declares" in page
    assert 'data-testid="no-rule-history"' in page  # the group has no version of its own


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ("30=1\nthirty", "Line 2 (thirty): write a band as MINUTES=HOURS, such as 30=1."),
        ("-5=1", "Line 1 (-5=1): the minimum must be a whole number of minutes from 0 to 1440."),
        ("0.5=1", "Line 1 (0.5=1): the minimum must be a whole number of minutes from 0 to 1440."),
        ("30=1\n0=0.25\n30=2", "Line 3 (30=2): line 1 already starts a band at 30 minutes."),
        ("30=11", "Line 1 (30=11): give hours from 0 to 10, with at most two decimals."),
        ("30=-1", "Line 1 (30=-1): give hours from 0 to 10, with at most two decimals."),
        ("30=0.125", "Line 1 (30=0.125): give hours from 0 to 10, with at most two decimals."),
        ("\n  \n", "Give at least one band: one MINUTES=HOURS line each, such as 30=1."),
    ],
)
def test_bad_band_lines_are_named_and_nothing_is_saved(app, client, auth, world, bands, message):
    auth.login("sec_a")
    in_english(client)
    path = f"/progress/units/{world.unit_a1}/rules"
    response = post_rule(client, path, bands)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and "flash-error" in page
    assert 'data-testid="no-rule-history"' in page
    with app.app_context():
        assert db.session.scalar(select(HourRule)) is None
        assert ledger.rule_for(user_named("member_a")).label == "default/v1"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hour_rule.set")) is None


@pytest.mark.parametrize(
    ("username", "unit"),
    [
        ("sec_b", "unit_a1"),  # a secretary of another committee
        ("sec_a", "committee_a"),  # the committee above the secretary's branch
        ("member_a", "unit_a1"),  # a member of the branch manages nothing
    ],
)
def test_outside_the_secretary_s_subtree_the_page_does_not_exist(app, client, auth, world, username, unit):
    auth.login(username)
    path = f"/progress/units/{getattr(world, unit)}/rules"
    assert client.get(path).status_code == 404
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, "/"),
            "kind": "time_bands",
            "bands": "0=5",
            "exam_hours": "1",
            "session_minutes_per_hour": "45",
        },
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(HourRule)) is None
        assert ledger.rule_for(user_named("member_a")).label == "default/v1"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hour_rule.set")) is None


def test_the_targets_and_rules_pages_link_to_each_other(client, auth, world):
    auth.login("sec_a")
    targets = client.get(f"/progress/units/{world.unit_a1}/targets").get_data(as_text=True)
    assert f'href="/progress/units/{world.unit_a1}/rules"' in targets
    rules = client.get(f"/progress/units/{world.unit_a1}/rules").get_data(as_text=True)
    assert f'href="/progress/units/{world.unit_a1}/targets"' in rules
    sessions = client.get("/progress/sessions/").get_data(as_text=True)
    assert f'href="/progress/units/{world.unit_a1}/rules"' in sessions


def test_the_command_line_reads_bands_as_the_page_does(app, runner, world):
    bad = runner.invoke(
        args=["progress", "set-rule", "甲党委", "--kind", "time_bands", "--band", "30=1", "--band", "30=2"]
    )
    assert bad.exit_code != 0 and "MINUTES=HOURS" in bad.output and "30=2" in bad.output
    good = runner.invoke(
        args=["progress", "set-rule", "甲党委", "--kind", "time_bands", "--band", "30=1", "--band", "0=0.5"]
    )
    assert good.exit_code == 0, good.output
    with app.app_context():
        assert ledger.rule_for(user_named("member_a")).bands == [[0, "0.5"], [30, "1"]]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hour_rule.set"))
        assert event.actor_id is None and event.object_id == f"unit{world.committee_a}/v1"
