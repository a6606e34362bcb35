"""One audit event per recorded action: appended, never edited or deleted."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import Model, db
from app.timeutil import utcnow


class AuditEvent(Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # None for actions taken by the system itself (a job, a CLI run without an account).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)  # "discussion.post.hide"
    object_type: Mapped[str] = mapped_column(String(40))  # "discussion_post"
    object_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id}>"


@db.event.listens_for(AuditEvent, "before_update")
@db.event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(mapper: object, connection: object, target: AuditEvent) -> None:
    raise RuntimeError("audit events are append-only")
