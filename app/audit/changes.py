"""The records staff manage are audited on every change they make through the site.

Services record the actions that need words of their own (``course.approve``, ``report.export``…)
with ``record_audit``. Everything else is caught here: after each flush, every row of an audited
table that a signed-in user inserted, changed or deleted during a web request adds an event
``<type>.create``, ``<type>.update`` or ``<type>.delete`` in the same transaction, with the names
of the changed columns (never their values: password hashes and texts stay out of the log). A row
that an explicit event of the same flush already describes is not recorded twice. A member's
changes to their own account (sign-in counters, password, language) are not staff actions, and
changes made without a signed-in user (the CLI, the job worker) are the operator's and the system's.
"""

from flask import g, has_request_context
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, SessionTransaction

from app.audit.models import AuditEvent
from app.timeutil import utcnow

# Audited tables and the object type their events name (as the explicit events do).
AUDITED_TABLES = {
    "users": "user",
    "role_grants": "role_grant",
    "org_units": "org_unit",
    "courses": "course",
    "modules": "module",
    "lessons": "lesson",
    "assignments": "assignment",
    "library_collections": "library_collection",
    "library_documents": "library_document",
    "videos": "video",
    "video_subtitles": "subtitle",
    "question_banks": "question_bank",
    "questions": "question",
    "quizzes": "quiz",
    "study_sessions": "study_session",
    "targets": "target",
}


def _signed_in_user_id() -> int | None:
    """The user of this request, if Flask-Login has loaded one (read without loading it: no query
    may run inside a flush)."""
    if not has_request_context():
        return None
    user = g.get("_login_user")
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


def _changed_columns(row: object) -> list[str]:
    state = inspect(row)
    return sorted(
        attribute.key
        for attribute in state.mapper.column_attrs
        if state.attrs[attribute.key].history.has_changes()
    )


def _object_type(row: object) -> str | None:
    return AUDITED_TABLES.get(getattr(inspect(row).mapper.local_table, "name", ""))


PENDING, DESCRIBED = "audit_pending_changes", "audit_described"


def note_described(session: Session, object_type: str, object_id: str) -> None:
    """An explicit event describes this object in the current transaction: no generic one for it."""
    session.info.setdefault(DESCRIBED, set()).add((object_type, object_id))


@event.listens_for(Session, "after_flush")
def collect_changes(session: Session, _flush_context: object) -> None:
    actor_id = _signed_in_user_id()
    if actor_id is None:
        return
    pending = session.info.setdefault(PENDING, {})
    # The session still lists this flush's rows as new, dirty and deleted here, and new rows have ids.
    for rows, verb in ((session.new, "create"), (session.dirty, "update"), (session.deleted, "delete")):
        for row in rows:
            object_type = _object_type(row)
            if object_type is None:
                continue
            identity = inspect(row).identity  # None for rows inserted by this flush: their id is set
            object_id = str(identity[0] if identity else row.id)
            if object_type == "user" and object_id == str(actor_id):
                continue
            changed = _changed_columns(row) if verb == "update" else []
            if verb == "update" and not changed:
                continue  # only its relationships changed: the rows they touch are recorded
            key = (object_type, object_id)
            if key in pending and verb == "update":  # changed again in the same transaction
                if pending[key]["action"].endswith(".update"):
                    pending[key]["detail"]["changed"] = sorted({*pending[key]["detail"]["changed"], *changed})
                continue
            pending[key] = {
                "created_at": utcnow(),
                "actor_id": actor_id,
                "action": f"{object_type}.{verb}",
                "object_type": object_type,
                "object_id": object_id,
                "detail": {"changed": changed} if changed else {},
            }


@event.listens_for(Session, "before_commit")
def write_changes(session: Session) -> None:
    """Append the transaction's collected changes, less those an explicit event describes."""
    if _signed_in_user_id() is None:
        return
    session.flush()  # the commit's own flush comes after this hook: collect its rows first
    pending = session.info.pop(PENDING, {})
    described = session.info.pop(DESCRIBED, set())
    events = [change for key, change in pending.items() if key not in described]
    if events:
        session.connection().execute(insert(AuditEvent), events)


@event.listens_for(Session, "after_transaction_end")
def forget_changes(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed or rolled back: nothing is carried to the next one
        session.info.pop(PENDING, None)
        session.info.pop(DESCRIBED, None)
