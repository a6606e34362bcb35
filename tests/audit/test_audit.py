"""The audit log records actions inside the caller's transaction and is never rewritten."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.services import events_for, record_audit
from app.auth.models import User
from app.extensions import db
from tests.factories.auth import make_user


def test_an_event_is_kept_when_the_callers_transaction_commits(app):
    with app.app_context():
        actor = make_user("auditor_actor")
        record_audit(actor, "test.thing.do", "thing", 42, {"why": "测试"})
        db.session.commit()
        [event] = db.session.scalars(events_for("thing", 42))
        assert (event.actor_id, event.action, event.object_id, event.detail) == (
            actor.id,
            "test.thing.do",
            "42",
            {"why": "测试"},
        )
        assert event.created_at is not None


def test_an_event_disappears_with_a_rolled_back_action(app):
    with app.app_context():
        record_audit(None, "test.thing.fail", "thing", 1)
        db.session.rollback()
        assert db.session.scalar(select(AuditEvent)) is None


def test_system_actions_have_no_actor(app):
    with app.app_context():
        record_audit(None, "test.system", "thing", "x")
        db.session.commit()
        assert db.session.scalar(select(AuditEvent.actor_id)) is None


@pytest.mark.parametrize("change", ["update", "delete"])
def test_events_cannot_be_changed_or_deleted_through_the_orm(app, change):
    with app.app_context():
        event = record_audit(None, "test.append_only", "thing", 7)
        db.session.commit()
        if change == "update":
            event.action = "test.rewritten"
        else:
            db.session.delete(event)
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(AuditEvent.action)) == "test.append_only"
        assert db.session.scalar(select(User)) is None
