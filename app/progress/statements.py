"""Learning statements (actor, verb, object, time, payload): appended, exported as xAPI JSON."""

import uuid
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.progress.models import Statement
from app.timeutil import utcnow

ADL = "http://adlnet.gov/expapi/verbs/"
VIDEO = "https://w3id.org/xapi/video/verbs/"
# The xAPI verb IRIs; video events use the xAPI Video Profile's verbs.
VERB_IRIS = {
    "started": ADL + "launched",
    "progressed": ADL + "progressed",
    "completed": ADL + "completed",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
    "credited": "https://w3id.org/xapi/cmi5/verbs/satisfied",
    "attended": ADL + "attended",
    "played": VIDEO + "played",
    "paused": VIDEO + "paused",
    "seeked": VIDEO + "seeked",
}
ACTIVITY_TYPES = {
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "course": "http://adlnet.gov/expapi/activities/course",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "session": "http://adlnet.gov/expapi/activities/meeting",
    "hours": "http://adlnet.gov/expapi/activities/performance",
    "resource": "http://adlnet.gov/expapi/activities/media",
}


def add_statement(
    user_id: int,
    verb: str,
    object_type: str,
    object_id: int,
    object_name: str = "",
    payload: dict[str, object] | None = None,
    at: datetime | None = None,
) -> Statement:
    """Add a statement to the session (the caller's transaction commits it)."""
    if verb not in VERB_IRIS or object_type not in ACTIVITY_TYPES:
        raise ValueError(f"unknown verb or object type: {verb} {object_type}")
    statement = Statement(
        uuid=str(uuid.uuid4()),
        user_id=user_id,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        object_name=object_name[:200],
        payload=payload or {},
        created_at=at or utcnow(),
    )
    db.session.add(statement)
    return statement


def statements_of(user: User, limit: int | None = None) -> list[Statement]:
    statement = select(Statement).where(Statement.user_id == user.id).order_by(Statement.id.desc())
    if limit:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


def to_xapi(statement: Statement, actor: User, base_url: str) -> dict[str, object]:
    """Render one statement as an xAPI 1.0.3 statement."""
    result: dict[str, object] = {
        "id": statement.uuid,
        "actor": {
            "objectType": "Agent",
            "name": actor.display_name,
            "account": {"homePage": base_url, "name": actor.username},
        },
        "verb": {"id": VERB_IRIS[statement.verb], "display": {"en-US": statement.verb}},
        "object": {
            "objectType": "Activity",
            "id": f"{base_url}/xapi/activities/{statement.object_type}/{statement.object_id}",
            "definition": {
                "type": ACTIVITY_TYPES[statement.object_type],
                "name": {"zh-CN": statement.object_name},
            },
        },
        "timestamp": statement.created_at.isoformat() + "Z",
    }
    if statement.payload:
        result["result"] = {"extensions": {f"{base_url}/xapi/extensions/payload": statement.payload}}
    return result


def export_xapi(user: User) -> list[dict[str, object]]:
    """Every statement of the member, oldest first, as xAPI JSON objects."""
    base_url = current_app.config["XAPI_HOMEPAGE"]
    rows = db.session.scalars(select(Statement).where(Statement.user_id == user.id).order_by(Statement.id))
    return [to_xapi(row, user, base_url) for row in rows]


def offline_evidence(statement_ids: Iterable[int]) -> set[int]:
    """Which of these statements record evidence gathered offline (app/offline marks the completions
    its uploads make with ``"offline": true``): the ledger shows the entries resting on them."""
    ids = sorted(set(statement_ids))
    if not ids:
        return set()
    rows = db.session.execute(select(Statement.id, Statement.payload).where(Statement.id.in_(ids)))
    return {statement_id for statement_id, payload in rows if (payload or {}).get("offline") is True}
