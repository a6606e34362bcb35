"""Check the learning record's invariants, and make right what can be made right.

``verify`` lists every violation: a completed lesson without its completion statement; a completion
under a time-band rule without its ledger entry; a course whose current lessons are all completed
without its course credit (course-hours rule) or its certificate; a ledger entry naming no rule
version that exists, or evidence that does not exist; a quiz lesson whose rule a finished attempt
meets but which is not completed. Domains that read the record add their own checks to
``extra_checks`` (the reports domain: its totals equal the ledger's), wired by their ``init_app``.

``repair`` fixes each violation it can through the same services that record learning, one
transaction per violation, each recorded in the audit log as ``progress.repair``; a ledger entry it
adds says so in its reason. Running it twice changes nothing the second time.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Select, select

from app.audit.services import record_audit
from app.auth.models import User
from app.courses.models import CompletionRule, Course, Lesson
from app.courses.quiz_link import lessons_of_quiz
from app.extensions import db
from app.org.models import OrgUnit
from app.progress import ledger, services
from app.progress.models import (
    Certificate,
    HourEntry,
    HourRule,
    LessonProgress,
    RuleKind,
    SourceKind,
    Statement,
)
from app.progress.statements import add_statement
from app.quizzes.models import Attempt, AttemptStatus
from app.timeutil import utcnow

REPAIRABLE = {
    "completion_without_statement",
    "completion_without_credit",
    "course_without_credit",
    "course_without_certificate",
    "entry_without_evidence",
    "quiz_not_completed",
}
# ``entry_without_rule`` and ``entry_names_no_evidence`` are not repaired: the ledger is append-only,
# so an entry naming the wrong rule or no evidence is for a person to correct, with a reason.
# Rule labels that name no stored rule version: the built-in default and manual corrections.
BUILT_IN_RULES = {ledger.DEFAULT_RULE.label, "manual"}


@dataclass(frozen=True)
class Violation:
    kind: str
    member: str  # the member's username
    object: str  # what is wrong, as "lesson:12", "course:3", "entry:40"
    detail: str
    member_id: int = 0

    def as_json(self) -> dict:
        shown = asdict(self)
        del shown["member_id"]
        return shown

    def __str__(self) -> str:
        return f"{self.kind}\t{self.member}\t{self.object}\t{self.detail}"


def _members(unit: OrgUnit | None) -> Select:
    members = select(User.id)
    if unit is not None:
        members = members.join(OrgUnit, User.unit_id == OrgUnit.id).where(OrgUnit.in_subtree(unit.path))
    return members


def _in_year(at: datetime | None, year: int) -> bool:
    return at is not None and ledger.local_year(at) == year


Check = Callable[[int, OrgUnit | None], list[Violation]]
# Checks of other domains that read the record (progress does not import them): see add_check.
extra_checks: list[Check] = []


def add_check(check: Check) -> None:
    """Have ``verify`` run ``check(year, unit)`` too (once, however many apps are built)."""
    if check not in extra_checks:
        extra_checks.append(check)


# Rule versions kept by other domains (the self-study rules), each a function returning their labels.
extra_rule_labels: list[Callable[[], set[str]]] = []


def add_rule_labels(labels: Callable[[], set[str]]) -> None:
    """Have ``verify`` accept the rule versions ``labels()`` names as existing (once per function)."""
    if labels not in extra_rule_labels:
        extra_rule_labels.append(labels)


def verify(year: int, unit: OrgUnit | None = None) -> list[Violation]:
    """Every violation of the record's invariants for members in ``unit``'s subtree (all without it),
    for completions and ledger entries of ``year``."""
    return [*_violations(year, unit), *(found for check in extra_checks for found in check(year, unit))]


def _violations(year: int, unit: OrgUnit | None) -> Iterator[Violation]:
    member_ids = _members(unit)
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(member_ids)))}
    completions = [
        (row, lesson)
        for row, lesson in db.session.execute(
            select(LessonProgress, Lesson)
            .join(Lesson, LessonProgress.lesson_id == Lesson.id)
            .where(LessonProgress.user_id.in_(member_ids), LessonProgress.completed_at.is_not(None))
        )
    ]
    stated = set(
        db.session.execute(
            select(Statement.user_id, Statement.object_id).where(
                Statement.user_id.in_(member_ids),
                Statement.verb == "completed",
                Statement.object_type == "lesson",
            )
        )
    )
    entries = list(
        db.session.scalars(select(HourEntry).where(HourEntry.user_id.in_(member_ids), HourEntry.year == year))
    )
    all_credited = set(
        db.session.execute(
            select(HourEntry.user_id, HourEntry.source_kind, HourEntry.source_id).where(
                HourEntry.user_id.in_(member_ids)
            )
        )
    )

    completed_by_member: dict[int, dict[int, datetime]] = defaultdict(dict)
    for row, lesson in completions:
        completed_by_member[row.user_id][lesson.id] = row.completed_at
        if not _in_year(row.completed_at, year):
            continue
        member = users[row.user_id]
        if (member.id, lesson.id) not in stated:
            yield Violation(
                "completion_without_statement",
                member.username,
                f"lesson:{lesson.id}",
                f"{lesson.title}: completed without its completion statement",
                member.id,
            )
        kind, hours = _lesson_credit(member, lesson, row.completed_at)
        if hours > 0 and (member.id, kind, lesson.id) not in all_credited:
            yield Violation(
                "completion_without_credit",
                member.username,
                f"lesson:{lesson.id}",
                f"{lesson.title}: completed under a time-band rule, {hours} h not in the ledger",
                member.id,
            )

    yield from _course_violations(users, completed_by_member, all_credited, year)
    yield from _entry_violations(users, entries)
    yield from _quiz_violations(users, completed_by_member, year)


def _lesson_credit(member: User, lesson: Lesson, at: datetime) -> tuple[SourceKind, object]:
    """The ledger source and hours a completion at ``at`` credits under the rule then in force."""
    return services.lesson_credit(ledger.rule_for(member, at), lesson)


def _course_violations(users, completed_by_member, all_credited, year: int) -> Iterator[Violation]:
    course_ids = {
        course_id
        for course_id in db.session.scalars(
            select(Lesson.course_id).where(
                Lesson.id.in_({lesson_id for done in completed_by_member.values() for lesson_id in done})
            )
        )
    }
    courses = {
        course.id: course for course in db.session.scalars(select(Course).where(Course.id.in_(course_ids)))
    }
    current = {course_id: services.current_lesson_ids(course) for course_id, course in courses.items()}
    certified = set(
        db.session.execute(
            select(Certificate.user_id, Certificate.course_id).where(Certificate.user_id.in_(list(users)))
        )
    )
    for member_id, done in completed_by_member.items():
        member = users[member_id]
        for course_id, lesson_ids in current.items():
            if not lesson_ids or not set(lesson_ids) <= set(done):
                continue
            finished_at = max(done[lesson_id] for lesson_id in lesson_ids)
            if not _in_year(finished_at, year):
                continue
            course = courses[course_id]
            rule = ledger.rule_for(member, finished_at)
            if (
                rule.kind is RuleKind.COURSE_HOURS
                and course.credit_hours > 0
                and (member_id, SourceKind.COURSE, course_id) not in all_credited
            ):
                yield Violation(
                    "course_without_credit",
                    member.username,
                    f"course:{course_id}",
                    f"{course.title}: every lesson completed, {course.credit_hours} h not in the ledger",
                    member_id,
                )
            if (member_id, course_id) not in certified:
                yield Violation(
                    "course_without_certificate",
                    member.username,
                    f"course:{course_id}",
                    f"{course.title}: every lesson completed, no certificate",
                    member_id,
                )


def _entry_violations(users, entries: list[HourEntry]) -> Iterator[Violation]:
    rule_labels = {rule.label for rule in db.session.scalars(select(HourRule))} | BUILT_IN_RULES
    rule_labels = rule_labels.union(*(labels() for labels in extra_rule_labels))
    wanted = {evidence_id for entry in entries for evidence_id in entry.evidence_ids or []}
    existing = set(
        db.session.execute(select(Statement.id, Statement.user_id).where(Statement.id.in_(wanted)))
    )
    for entry in entries:
        member = users[entry.user_id]
        if entry.rule_version not in rule_labels:
            yield Violation(
                "entry_without_rule",
                member.username,
                f"entry:{entry.id}",
                f"{entry.title}: names rule version {entry.rule_version!r}, which does not exist",
                member.id,
            )
        if entry.source_kind is SourceKind.CORRECTION:
            continue  # a correction's evidence is its signed reason
        missing = [i for i in entry.evidence_ids or [] if (i, entry.user_id) not in existing]
        if not entry.evidence_ids:
            yield Violation(
                "entry_names_no_evidence",
                member.username,
                f"entry:{entry.id}",
                f"{entry.title}: names no evidence",
                member.id,
            )
        elif missing:
            yield Violation(
                "entry_without_evidence",
                member.username,
                f"entry:{entry.id}",
                f"{entry.title}: evidence {missing} does not exist",
                member.id,
            )


def _quiz_violations(users, completed_by_member, year: int) -> Iterator[Violation]:
    finished = db.session.execute(
        select(Attempt.member_id, Attempt.quiz_id, Attempt.passed, Attempt.finished_at).where(
            Attempt.member_id.in_(list(users)), Attempt.status == AttemptStatus.FINISHED
        )
    )
    outcomes: dict[tuple[int, int], tuple[bool, datetime]] = {}
    for member_id, quiz_id, passed, finished_at in finished:
        earlier_passed, earliest = outcomes.get((member_id, quiz_id), (False, finished_at))
        outcomes[(member_id, quiz_id)] = (earlier_passed or bool(passed), min(earliest, finished_at))
    for (member_id, quiz_id), (passed, finished_at) in outcomes.items():
        if not _in_year(finished_at, year):
            continue
        for lesson in lessons_of_quiz(quiz_id):
            met = passed or lesson.completion is CompletionRule.SUBMITTED
            if met and lesson.id not in completed_by_member.get(member_id, {}):
                yield Violation(
                    "quiz_not_completed",
                    users[member_id].username,
                    f"lesson:{lesson.id}",
                    f"{lesson.title}: quiz {quiz_id} finished and its rule met, lesson not completed",
                    member_id,
                )


# --- repair ----------------------------------------------------------------------------------------


def repair(year: int, unit: OrgUnit | None = None, dry_run: bool = False) -> list[Violation]:
    """Fix every repairable violation (one transaction each, audited); return what was (or, with
    ``dry_run``, would be) repaired."""
    todo = [violation for violation in verify(year, unit) if violation.kind in REPAIRABLE]
    if dry_run:
        return todo
    for violation in todo:
        member = db.session.get(User, violation.member_id)
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
    lesson = db.session.get(Lesson, lesson_id)
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
    lesson = db.session.get(Lesson, lesson_id)
    at = _completed_at(member, lesson)
    kind, hours = _lesson_credit(member, lesson, at)
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
    course = db.session.get(Course, course_id)
    lesson_ids = services.current_lesson_ids(course)
    finished_at = max(
        db.session.scalars(
            select(LessonProgress.completed_at).where(
                LessonProgress.user_id == member.id, LessonProgress.lesson_id.in_(lesson_ids)
            )
        )
    )
    services.evaluate_course(member, course, finished_at, reason="progress repair: course")


def _restore_evidence(member: User, entry_id: int) -> None:
    """Restore the statements a ledger entry names under their ids, naming what the entry credits."""
    entry = db.session.get(HourEntry, entry_id)
    present = set(db.session.scalars(select(Statement.id).where(Statement.id.in_(entry.evidence_ids or []))))
    object_type, verb = {
        SourceKind.LESSON: ("lesson", "completed"),
        SourceKind.EXAM: ("lesson", "completed"),
        SourceKind.COURSE: ("course", "completed"),
        SourceKind.SESSION: ("session", "attended"),
        SourceKind.RESOURCE: ("resource", "completed"),
    }[entry.source_kind]
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
    lesson = db.session.get(Lesson, lesson_id)
    services.quiz_outcome(member, lesson, lesson.quiz_id, utcnow())


FIXES = {
    "completion_without_statement": _restore_statement,
    "completion_without_credit": _credit_lesson,
    "course_without_credit": _finish_course,
    "course_without_certificate": _finish_course,
    "entry_without_evidence": _restore_evidence,
    "quiz_not_completed": _complete_quiz_lesson,
}
