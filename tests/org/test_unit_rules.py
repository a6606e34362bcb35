"""A unit's versioned rule (app/org/unit_rules.py): which version applies when, and adding one."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.errors import DomainError
from app.extensions import db
from app.org import unit_rules
from app.org.models import OrgUnit
from app.progress.models import HourRule, RuleKind
from app.selfstudy.models import SelfStudyRule
from app.timeutil import utcnow
from tests.factories.auth import user_named

T0 = utcnow().replace(microsecond=0) - timedelta(days=30)
SECOND = timedelta(seconds=1)


def version(model: type[unit_rules.UnitRuleVersion], unit_id: int, number: int, at_day: int):
    """A version as stored by ``add_version``, added ``at_day`` days after T0 (or an hour rule)."""
    fields = {"kind": RuleKind.COURSE_HOURS} if model is HourRule else {}
    return model(unit_id=unit_id, version=number, created_at=T0 + timedelta(days=at_day), **fields)


@pytest.fixture(params=[HourRule, SelfStudyRule])
def model(request, app, world):
    """Each rule kind, with versions: the committee's 1 (day 0), the branch's 1 (day 1), the
    committee's 2 (day 2)."""
    with app.app_context():
        for unit_id, number, day in (
            (world.committee_a, 1, 0),
            (world.unit_a1, 1, 1),
            (world.committee_a, 2, 2),
        ):
            db.session.add(version(request.param, unit_id, number, day))
        db.session.commit()
    return request.param


@pytest.mark.parametrize(
    ("unit", "at", "applies"),
    [
        ("unit_a1", T0 - SECOND, None),  # before any version
        ("unit_a1", T0, ("committee_a", 1)),  # a version applies from the moment it is added
        ("unit_a1", T0 + timedelta(days=1) - SECOND, ("committee_a", 1)),
        ("unit_a1", T0 + timedelta(days=1), ("unit_a1", 1)),  # the unit's own beats the one above
        ("unit_a1", T0 + timedelta(days=3), ("unit_a1", 1)),  # ... even a newer one above
        ("unit_a1", None, ("unit_a1", 1)),  # now
        ("unit_a2", T0 + timedelta(days=1), ("committee_a", 1)),  # a sibling inherits the committee's
        ("unit_a2", T0 + timedelta(days=2), ("committee_a", 2)),  # its latest version by then
        ("unit_a", None, ("committee_a", 2)),
        ("unit_b1", None, None),  # another committee: none on the path
        (None, None, None),  # no unit
    ],
)
def test_the_nearest_unit_s_latest_version_by_then_applies(app, world, model, unit, at, applies):
    with app.app_context():
        found = unit_rules.nearest_version(
            model, db.session.get(OrgUnit, getattr(world, unit)) if unit else None, at
        )
        expected = (getattr(world, applies[0]), applies[1]) if applies else None
        assert ((found.unit_id, found.version) if found else None) == expected


def test_a_new_version_is_numbered_after_the_unit_s_own_keeps_the_old_ones_and_is_audited(app, world, model):
    with app.app_context():
        branch = db.session.get(OrgUnit, world.unit_a1)
        first = db.session.scalar(select(model).where(model.unit_id == branch.id))
        added = unit_rules.add_version(
            version(model, 0, 0, 5), branch, user_named("sec_a"), "some_rule", {"said": "x"}, DomainError
        )
        assert (added.unit_id, added.version, added.created_by_id) == (branch.id, 2, world.sec_a)
        assert [rule.version for rule, _author in unit_rules.version_history(model, branch)] == [2, 1]
        assert first.created_at == T0 + timedelta(days=1)  # untouched
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "some_rule.set"))
        assert (event.object_type, event.object_id, event.detail) == (
            "some_rule",
            added.label,
            {"unit_id": branch.id, "version": 2, "said": "x"},
        )


def test_a_version_numbered_like_one_added_at_the_same_moment_is_refused_and_nothing_saved(app, world, model):
    class Conflict(DomainError):
        pass

    with app.app_context():
        branch = db.session.get(OrgUnit, world.unit_a2)
        with db.session.no_autoflush:  # the other request's version 1 is not seen when numbering
            db.session.add(version(model, branch.id, 1, 5))
            with pytest.raises(Conflict):
                unit_rules.add_version(version(model, 0, 0, 5), branch, None, "some_rule", {}, Conflict)
        assert unit_rules.version_history(model, branch) == []
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "some_rule.set")) is None
