"""In-person study (集中学习, 主题党日, 三会一课, 集中收看): recorded by a secretary, credited to those present.

The evidence (a sign-in sheet or photo) must be an image or a PDF by its content, not its name, and
is stored under MEDIA_ROOT/evidence/ named by its hash. The session, its attendance and every
attendee's ledger entry are written in one transaction: all of it is recorded, or none.
"""

import hashlib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select

from app.auth.models import User
from app.courses.attachments import sniff
from app.courses.models import Course, CourseStatus, Lesson, LessonKind
from app.errors import DomainError
from app.extensions import db
from app.org.models import OrgUnit
from app.progress import ledger, permissions
from app.progress.models import Attendance, SessionKind, SourceKind, StudySession
from app.progress.statements import add_statement

EVIDENCE_FOLDER = "evidence"


class SessionError(DomainError):
    pass


@dataclass(frozen=True)
class Evidence:
    data: bytes
    filename: str = ""


def evidence_dir() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / EVIDENCE_FOLDER


def store_evidence(evidence: Evidence) -> tuple[str, str]:
    """Check the file by its content and size; store it once; return (file name, MIME type)."""
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    if not evidence.data:
        raise SessionError(_("Attach the sign-in sheet or a photo of the session."))
    if len(evidence.data) > limit:
        raise SessionError(
            _("The evidence file is too large (at most %(mb)d MB).", mb=limit // (1024 * 1024))
        )
    kind = sniff(evidence.data[:16])
    if kind is None:
        raise SessionError(_("The evidence must be a photo (PNG, JPEG, GIF, WebP) or a PDF."))
    extension, mime = kind
    name = hashlib.sha256(evidence.data).hexdigest() + extension
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not target.exists():
        partial = folder / f".{name}.{os.getpid()}.partial"
        partial.write_bytes(evidence.data)
        partial.replace(target)  # never a half-written file under the real name
    return name, mime


def record_session(
    unit: OrgUnit,
    kind: SessionKind,
    held_on: date,
    topic: str,
    minutes: int,
    attendee_ids: list[int],
    evidence: Evidence,
    recorded_by: User,
    lesson_id: int | None = None,
) -> StudySession:
    """Record a session and credit its hours to everyone ticked as present."""
    if not permissions.can_record_session_for(recorded_by, unit):
        raise SessionError(_("You may record sessions only for units you manage."))
    topic = (topic or "").strip()
    if not 2 <= len(topic) <= 200:
        raise SessionError(_("Give the session's topic (2 to 200 characters)."))
    if not isinstance(minutes, int) or not 10 <= minutes <= 600:
        raise SessionError(_("A session lasts between 10 and 600 minutes."))
    if held_on > date.today() or held_on.year < 2000:
        raise SessionError(_("Give the date the session was held (not in the future)."))
    roster_ids = set(db.session.scalars(permissions.roster(unit).with_only_columns(User.id)))
    present = sorted(set(attendee_ids))
    if not present:
        raise SessionError(_("Tick at least one member who was present."))
    if not set(present) <= roster_ids:
        raise SessionError(_("Only members of this unit's roster can be ticked as present."))
    if lesson_id is not None and lesson_id not in set(
        db.session.scalars(session_lessons().with_only_columns(Lesson.id))
    ):
        raise SessionError(_("Choose a lesson of a published course, or none."))
    rule = ledger.rule_for_unit(unit)
    hours = rule.session_hours(minutes)
    file_name, mime = store_evidence(evidence)
    session = StudySession(
        unit_id=unit.id,
        kind=kind,
        held_on=held_on,
        topic=topic,
        minutes=minutes,
        lesson_id=lesson_id,
        hours=hours,
        rule_version=rule.label,
        evidence_file=file_name,
        evidence_type=mime,
        recorded_by_id=recorded_by.id,
    )
    db.session.add(session)
    db.session.flush()
    year = held_on.year
    for member_id in present:
        db.session.add(Attendance(session_id=session.id, user_id=member_id))
        statement = add_statement(
            member_id, "attended", "session", session.id, topic, {"minutes": minutes, "kind": kind.value}
        )
        db.session.flush()
        ledger.credit(
            member_id,
            SourceKind.SESSION,
            session.id,
            hours,
            topic,
            rule.label,
            [statement.id],
            year,
            created_by_id=recorded_by.id,
        )
    db.session.commit()
    return session


def session_lessons() -> Select[Lesson]:
    """Lessons a session may play for the room: the current video, text and live lessons of published
    courses (a group viewing, 集中收看, is bound to a live lesson)."""
    return (
        select(Lesson)
        .join(Course, Lesson.course_id == Course.id)
        .where(
            Course.status == CourseStatus.PUBLISHED,
            Lesson.removed_at.is_(None),
            Lesson.kind.in_([LessonKind.VIDEO, LessonKind.TEXT, LessonKind.LIVE]),
        )
        .order_by(Course.title, Lesson.position)
    )


def session_evidence_path(session: StudySession) -> Path | None:
    if not session.evidence_file:
        return None
    path = evidence_dir() / session.evidence_file
    return path if path.is_file() else None


def attendee_ids(session: StudySession) -> set[int]:
    return set(db.session.scalars(select(Attendance.user_id).where(Attendance.session_id == session.id)))
