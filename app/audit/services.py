"""Recording audit events: called by other domains' services inside their own transaction."""

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.audit.changes import note_described
from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.extensions import db
from app.spreadsheets import InertCsvWriter

Columns = TypeVarTuple("Columns")


def record_audit(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | str,
    detail: dict[str, Any] | None = None,
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
    note_described(db.session(), object_type, event.object_id)
    return event


def events_for(object_type: str, object_id: int | str) -> Select[AuditEvent]:
    """Select an object's audit events, oldest first."""
    return (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )


# --- reading the log: auditors and admins --------------------------------------------------------

PAGE_SIZE = 50


def can_read_audit_log(user: User) -> bool:
    return user.is_authenticated and (user.has_role(Role.AUDITOR) or user.has_role(Role.ADMIN))


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # a username
    action: str = ""  # an action or its prefix, such as "report." or "discussion.post.hide"
    object_type: str = ""
    since: date | None = None
    until: date | None = None  # inclusive

    def apply(self, statement: Select[*Columns]) -> Select[*Columns]:
        if self.actor:
            statement = statement.join(User, AuditEvent.actor_id == User.id).where(
                User.username == self.actor
            )
        if self.action:
            statement = statement.where(AuditEvent.action.startswith(self.action, autoescape=True))
        if self.object_type:
            statement = statement.where(AuditEvent.object_type == self.object_type)
        if self.since:
            statement = statement.where(AuditEvent.created_at >= datetime.combine(self.since, time.min))
        if self.until:
            statement = statement.where(
                AuditEvent.created_at < datetime.combine(self.until + timedelta(days=1), time.min)
            )
        return statement


def search_events(reader: User, where: AuditFilter, page: int = 1) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and the number of matches; the reading is itself logged."""
    total = db.session.execute(where.apply(select(func.count(AuditEvent.id)))).scalar_one()
    events = list(
        db.session.scalars(
            where.apply(select(AuditEvent))
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    record_audit(reader, "audit.view", "audit_log", "-", {"filter": _described(where), "page": page})
    db.session.commit()
    return events, total


def detail_text(detail: dict[str, Any]) -> str:
    """An event's detail as JSON a person reads: Chinese as characters, not \\u escapes."""
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)


def export_events(reader: User, where: AuditFilter) -> str:
    """Every matching event as CSV, oldest first; the export is itself logged."""
    buffer = io.StringIO()
    writer = InertCsvWriter(buffer)
    writer.writerow(["id", "time_utc", "actor", "action", "object_type", "object_id", "detail"])
    statement = (
        where.apply(select(AuditEvent)).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id)
    )
    for event in db.session.scalars(statement):
        actor = event.actor.username if event.actor else ""
        detail = detail_text(event.detail)
        writer.writerow(
            [
                event.id,
                event.created_at.isoformat(),
                actor,
                event.action,
                event.object_type,
                event.object_id,
                detail,
            ]
        )
    record_audit(reader, "audit.export", "audit_log", "-", {"filter": _described(where)})
    db.session.commit()
    return buffer.getvalue()


def _described(where: AuditFilter) -> dict[str, str]:
    return {name: str(value) for name, value in vars(where).items() if value}
