"""``flask progress repair``: make right what ``verify`` finds, through the services that record
learning, one audited transaction per violation (see the package's docstring)."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app.audit.services import record_audit
from app.auth.models import User
from app.courses.models import Course, Lesson
from app.extensions import db
from app.org.models import OrgUnit
from app.progress import ledger, services
from app.progress.models import HourEntry, LessonProgress, SourceKind, Statement
from app.progress.statements import add_statement
from app.progress.verify.checks import lesson_credit_at, verify
from app.progress.verify.report import Violation
from app.timeutil import utcnow


def repair(year: int, unit: OrgUnit | None = None, dry_run: bool = False) -> list[Violation]:
    """Fix every repairable violation (one transaction each, audited); return what was (or, with
    ``dry_run``, would be) repaired."""
    todo = [violation for violation in verify(year, unit) if violation.kind in FIXES]
    if dry_run:
        return todo
    for violation in todo:
        member = db.session.get_one(User, violation.member_id)
        object_type, _colon, object_id = violation.object.partition(":")
        FIXES[violation.kind](member, int(object_id))
        record_audit(
            None,
            "progress.repair",
            object_type,
            object_id,
            {"kind": violation.kind, "member": violation.member, "detail": violation.detail},
        )
        db.session.commit()
    return todo


def _completed_at(member: User, lesson: Lesson) -> datetime:
    progress = services.progress_of(member, lesson)
    return progress.completed_at if progress and progress.completed_at else utcnow()


def _restore_statement(member: User, lesson_id: int) -> None:
    lesson = db.session.get_one(Lesson, lesson_id)
    at = _completed_at(member, lesson)
    add_statement(
        member.id,
        "completed",
        "lesson",
        lesson.id,
        lesson.title,
        {"repair": "completion_without_statement"},
        at,
    )


def _credit_lesson(member: User, lesson_id: int) -> None:
    lesson = db.session.get_one(Lesson, lesson_id)
    at = _completed_at(member, lesson)
    kind, hours = lesson_credit_at(member, lesson, at)
    evidence = db.session.scalars(
        select(Statement.id).where(
            Statement.user_id == member.id,
            Statement.verb == "completed",
            Statement.object_type == "lesson",
            Statement.object_id == lesson.id,
        )
    ).all()
    rule = ledger.rule_for(member, at)
    ledger.credit(
        member.id,
        kind,
        lesson.id,
        hours,
        lesson.title,
        rule.label,
        list(evidence),
        ledger.local_year(at),
        reason="progress repair: completion_without_credit",
    )


def _finish_course(member: User, course_id: int) -> None:
    """Credit and certify a course whose lessons are all completed, as the last completion would."""
    course = db.session.get_one(Course, course_id)
    lesson_ids = services.current_lesson_ids(course)
    finished_at = max(
        completed_at
        for completed_at in db.session.scalars(
            select(LessonProgress.completed_at).where(
                LessonProgress.user_id == member.id, LessonProgress.lesson_id.in_(lesson_ids)
            )
        )
        if completed_at is not None  # all are: the check found every lesson completed
    )
    services.evaluate_course(member, course, finished_at, reason="progress repair: course")


# The statement a ledger entry's evidence is, by what the entry credits.
EVIDENCE_STATEMENTS = {
    SourceKind.LESSON: ("lesson", "completed"),
    SourceKind.EXAM: ("lesson", "completed"),
    SourceKind.COURSE: ("course", "completed"),
    SourceKind.SESSION: ("session", "attended"),
    SourceKind.RESOURCE: ("resource", "completed"),
}


def _restore_evidence(member: User, entry_id: int) -> None:
    """Restore the statements a ledger entry names under their ids, naming what the entry credits."""
    entry = db.session.get_one(HourEntry, entry_id)
    assert entry.source_id is not None  # only corrections have none, and their evidence is not checked
    present = set(db.session.scalars(select(Statement.id).where(Statement.id.in_(entry.evidence_ids))))
    object_type, verb = EVIDENCE_STATEMENTS[entry.source_kind]
    for missing in entry.evidence_ids:
        if missing not in present:
            restored = add_statement(
                member.id,
                verb,
                object_type,
                entry.source_id,
                entry.title,
                {"repair": "entry_without_evidence", "entry_id": entry.id},
                entry.created_at,
            )
            restored.id = missing


def _complete_quiz_lesson(member: User, lesson_id: int) -> None:
    lesson = db.session.get_one(Lesson, lesson_id)
    assert lesson.quiz_id is not None  # the check found it through its quiz
    services.quiz_outcome(member, lesson, lesson.quiz_id, utcnow())


# What repairs each repairable kind of violation. ``entry_without_rule`` and ``entry_names_no_evidence``
# are not repaired: the ledger is append-only, so an entry naming the wrong rule or no evidence is for
# a person to correct, with a reason.
FIXES: dict[str, Callable[[User, int], None]] = {
    "completion_without_statement": _restore_statement,
    "completion_without_credit": _credit_lesson,
    "course_without_credit": _finish_course,
    "course_without_certificate": _finish_course,
    "entry_without_evidence": _restore_evidence,
    "quiz_not_completed": _complete_quiz_lesson,
}
