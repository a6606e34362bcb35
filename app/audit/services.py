"""Recording audit events: called by other domains' services inside their own transaction."""

from sqlalchemy import Select, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db


def record_audit(
    actor: User | None, action: str, object_type: str, object_id: int | str, detail: dict | None = None
) -> AuditEvent:
    """Add an audit event to the current transaction; the caller's commit makes it permanent.

    Recording in the caller's transaction means the event exists exactly when the action does:
    a failed action leaves no event, and no action goes unrecorded.
    """
    actor_id = actor.id if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=dict(detail or {}),
    )
    db.session.add(event)
    return event


def events_for(object_type: str, object_id: int | str) -> Select[tuple[AuditEvent]]:
    """Select an object's audit events, oldest first."""
    return (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
