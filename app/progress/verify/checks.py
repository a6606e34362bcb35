"""The checks of ``flask progress verify`` (what each violation means: the package's docstring).

Other domains that read the record add theirs to ``extra_checks`` and the rule versions they keep to
``extra_rule_labels``, from their ``init_app``.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, select

from app.auth.models import User
from app.courses.models import CompletionRule, Course, Lesson
from app.courses.quiz_link import lessons_of_quiz
from app.extensions import db
from app.org import unit_rules
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
from app.progress.verify.report import Violation
from app.quizzes.models import Attempt, AttemptStatus

# Rule labels that name no stored rule version: the built-in default and manual corrections.
BUILT_IN_RULES = {ledger.DEFAULT_RULE.label, "manual"}

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


def lesson_credit_at(member: User, lesson: Lesson, at: datetime) -> tuple[SourceKind, Decimal]:
    """The ledger source and hours a completion at ``at`` credits under the rule then in force."""
    return services.lesson_credit(ledger.rule_for(member, at), lesson)


def _members(unit: OrgUnit | None) -> Select[int]:
    members = select(User.id)
    if unit is not None:
        members = members.join(OrgUnit, User.unit_id == OrgUnit.id).where(OrgUnit.in_subtree(unit.path))
    return members


def _in_year(at: datetime, year: int) -> bool:
    return ledger.local_year(at) == year


# (member id, source kind, source id) of every ledger entry: what has been credited.
Credited = set[tuple[int, SourceKind, int | None]]
# Each member's completed lessons: lesson id -> when.
Completions = dict[int, dict[int, datetime]]


def _violations(year: int, unit: OrgUnit | None) -> Iterator[Violation]:
    member_ids = _members(unit)
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(member_ids)))}
    completions = db.session.execute(
        select(LessonProgress, Lesson)
        .join(Lesson, LessonProgress.lesson_id == Lesson.id)
        .where(LessonProgress.user_id.in_(member_ids), LessonProgress.completed_at.is_not(None))
    ).all()
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
    all_credited: Credited = set(
        db.session.execute(
            select(HourEntry.user_id, HourEntry.source_kind, HourEntry.source_id).where(
                HourEntry.user_id.in_(member_ids)
            )
        )
    )

    completed_by_member: Completions = defaultdict(dict)
    for row, lesson in completions:
        completed_at = row.completed_at
        assert completed_at is not None  # the query's condition
        completed_by_member[row.user_id][lesson.id] = completed_at
        if not _in_year(completed_at, year):
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
        kind, hours = lesson_credit_at(member, lesson, completed_at)
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


def _course_violations(
    users: dict[int, User], completed_by_member: Completions, all_credited: Credited, year: int
) -> Iterator[Violation]:
    course_ids = set(
        db.session.scalars(
            select(Lesson.course_id).where(
                Lesson.id.in_({lesson_id for done in completed_by_member.values() for lesson_id in done})
            )
        )
    )
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


def _entry_violations(users: dict[int, User], entries: list[HourEntry]) -> Iterator[Violation]:
    rule_labels = unit_rules.version_labels(HourRule) | BUILT_IN_RULES
    rule_labels = rule_labels.union(*(labels() for labels in extra_rule_labels))
    wanted = {evidence_id for entry in entries for evidence_id in entry.evidence_ids}
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
        missing = [i for i in entry.evidence_ids if (i, entry.user_id) not in existing]
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


def _quiz_violations(
    users: dict[int, User], completed_by_member: Completions, year: int
) -> Iterator[Violation]:
    finished = db.session.execute(
        select(Attempt.member_id, Attempt.quiz_id, Attempt.passed, Attempt.finished_at).where(
            Attempt.member_id.in_(list(users)), Attempt.status == AttemptStatus.FINISHED
        )
    )
    outcomes: dict[tuple[int, int], tuple[bool, datetime]] = {}
    for member_id, quiz_id, passed, finished_at in finished:
        assert finished_at is not None  # a finished attempt's
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
