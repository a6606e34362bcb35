"""Progress, the 学时 ledger and its rules, annual targets, in-person sessions, statements, certificates.

Evidence (statements, ledger entries, attendance) is appended and never edited: a correction is a new
signed ledger entry with a reason.
"""

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.auth.models import Role, User
from app.courses.models import Lesson
from app.extensions import Model, str_enum
from app.org.models import OrgUnit
from app.org.unit_rules import UnitRuleVersion
from app.timeutil import utcnow


class LessonProgress(Model):
    """One member's progress on one lesson; kept when the lesson is changed or removed."""

    # "progress" is uncountable: the table keeps the singular noun.
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", name="uq_lesson_progress_user_lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    first_opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]


class SourceKind(enum.StrEnum):
    COURSE = "course"
    LESSON = "lesson"
    EXAM = "exam"
    SESSION = "session"  # an in-person study session
    CORRECTION = "correction"
    RESOURCE = "resource"  # a video of the library's resources watched as self-study (app/selfstudy)


class RuleKind(enum.StrEnum):
    COURSE_HOURS = "course_hours"  # a completed course credits the hours it declares
    TIME_BANDS = "time_bands"  # each completed lesson credits hours by its length; a passed exam too


# A band of a time-band rule: [minimum minutes, hours (as text)].
Band = list[int | str]


class HourRule(UnitRuleVersion, Model):
    """One version of a unit's conversion rule; the nearest ancestor's latest version applies
    (app/org/unit_rules.py)."""

    __tablename__ = "hour_rules"
    __table_args__ = (UniqueConstraint("unit_id", "version", name="uq_hour_rules_unit_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RuleKind] = mapped_column(str_enum(RuleKind))
    # [[minimum minutes, hours], ...]: the band with the largest minimum not above the length applies.
    bands: Mapped[list[Band]] = mapped_column(JSON, default=list)
    exam_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    # In-person sessions: one 学时 per this many minutes (45 in most regulations).
    session_minutes_per_hour: Mapped[int] = mapped_column(default=45)

    @property
    def label(self) -> str:
        return f"unit{self.unit_id}/v{self.version}"


class HourEntry(Model):
    """One line of the 学时台账: appended, never edited; automatic credits are unique per source."""

    __tablename__ = "hour_entries"
    __table_args__ = (
        UniqueConstraint("user_id", "source_kind", "source_id", name="uq_hour_entries_user_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # negative for a correction downwards
    source_kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind))
    source_id: Mapped[int | None]  # NULL for corrections, which are never unique
    title: Mapped[str] = mapped_column(String(200), default="")  # what the source was called then
    rule_version: Mapped[str] = mapped_column(String(40))
    evidence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # statement ids behind the entry
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class Target(Model):
    """Annual 学时 target for a role in a unit and its subtree (unless a unit below overrides it)."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("unit_id", "role", "year", name="uq_targets_unit_role_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    year: Mapped[int]
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship()


class Statement(Model):
    """A learning event (actor, verb, object, time, payload): appended, exportable as xAPI."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    verb: Mapped[str] = mapped_column(String(30))
    object_type: Mapped[str] = mapped_column(String(20))  # lesson, course, quiz, session, hours
    object_id: Mapped[int]
    object_name: Mapped[str] = mapped_column(String(200), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SessionKind(enum.StrEnum):
    GROUP_STUDY = "group_study"  # 集中学习
    PARTY_DAY = "party_day"  # 主题党日
    THREE_MEETINGS = "three_meetings"  # 三会一课
    GROUP_VIEWING = "group_viewing"  # 集中收看


class StudySession(Model):
    """An in-person study session a secretary recorded for a unit, with its evidence file."""

    __tablename__ = "study_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind))
    held_on: Mapped[date]
    topic: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int]
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id"))
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    rule_version: Mapped[str] = mapped_column(String(40))
    evidence_file: Mapped[str | None] = mapped_column(String(200))  # under MEDIA_ROOT/evidence/
    evidence_type: Mapped[str | None] = mapped_column(String(40))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    lesson: Mapped[Lesson | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    attendances: Mapped[list["Attendance"]] = relationship(back_populates="session", cascade="all")


class Attendance(Model):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_attendances_session_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("study_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    session: Mapped[StudySession] = relationship(back_populates="attendances")
    user: Mapped[User] = relationship()


class Certificate(Model):
    """A completed course's certificate; the code is random, so only its holder can share it."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_certificates_user_course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    holder_name: Mapped[str] = mapped_column(String(100))
    course_title: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class Viewer(Model):
    """A member's watching state: their one active viewing session and their wall-clock budget.

    Every heartbeat locks this row, so a member's heartbeats are counted one at a time.
    """

    __tablename__ = "viewers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The latest viewing session wins: an older session's token no longer matches and earns nothing.
    session_token: Mapped[str | None] = mapped_column(String(32))
    session_lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id"))
    session_sequence: Mapped[int] = mapped_column(default=0)
    session_opened_at: Mapped[datetime | None]
    # Seconds of media the member may still claim, as of budget_at (it grows with server time).
    budget_seconds: Mapped[float] = mapped_column(default=0.0)
    budget_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped by every write: a concurrent heartbeat that read an older version fails instead of
    # spending the same budget twice (SQLite has no SELECT ... FOR UPDATE).
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


class VideoProgress(Model):
    """The verified played intervals of one member on one video lesson (their union is the credit)."""

    # "progress" is uncountable: the table keeps the singular noun.
    __tablename__ = "video_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", name="uq_video_progress_user_lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    # [[start, end], ...] in seconds, sorted and disjoint.
    intervals: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    verified_seconds: Mapped[float] = mapped_column(default=0.0)
    resume_at: Mapped[float] = mapped_column(default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReadingProgress(Model):
    """The verified reading time of one member on one reading lesson (visible, active seconds)."""

    __tablename__ = "reading_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", name="uq_reading_progress_user_lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    verified_seconds: Mapped[float] = mapped_column(default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HeartbeatRefusal(Model):
    """Refused heartbeats and why, kept for review (they earned nothing): one row per member, lesson,
    reason and minute, counting the refusals of that minute, so a burst cannot fill the table."""

    __tablename__ = "heartbeat_refusals"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id", "reason", "minute", name="uq_heartbeat_refusals_minute"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(index=True)  # as asked for: the lesson may not exist
    reason: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the first one sent (bounded)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # the first refusal
    minute: Mapped[datetime] = mapped_column(default=utcnow)  # created_at to the minute
    count: Mapped[int] = mapped_column(default=1, server_default="1")
    last_at: Mapped[datetime] = mapped_column(default=utcnow)  # the latest refusal
