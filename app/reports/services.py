"""A unit's figures for a year, rolled up over its subtree in a fixed number of queries.

Reports own no tables: every figure is aggregated from the ledger (hours), targets, required
assignments and certificates (a course is completed when its certificate was issued). The queries
are the same whatever the size of the subtree, so a committee's roll-up costs what a branch's does
plus the rows themselves.
"""

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Row, extract, func, select

from app.audit.services import record_audit
from app.auth.models import Role, RoleGrant, User
from app.courses.models import Assignment, Course, Lesson, Module
from app.extensions import db
from app.org.models import OrgUnit
from app.org.services import name_paths
from app.progress import ledger
from app.progress.models import Certificate, HourEntry, LessonProgress, Target
from app.progress.verify import Violation
from app.reports.pace import expected_hours

ZERO = Decimal("0")


def _rate(done: int, total: int) -> float:
    return round(done / total, 4) if total else 0.0


@dataclass(slots=True)
class MemberFigures:
    id: int
    username: str
    name: str
    unit_id: int
    unit_path: str
    hours: Decimal
    target: Decimal
    expected: Decimal  # the hours the pace asks for by the report's day
    required_assigned: int
    required_completed: int
    overdue: list[str]  # slugs of required courses past their due date and not completed

    @property
    def behind_pace(self) -> bool:
        return self.hours < self.expected

    @property
    def share_of_target(self) -> float:
        return min(float(self.hours / self.target), 1.0) if self.target else 1.0

    def as_json(self) -> dict[str, object]:
        return {
            "username": self.username,
            "name": self.name,
            "unit_path": self.unit_path,
            "hours": float(self.hours),
            "target": float(self.target),
            "required_completed": self.required_completed,
            "required_assigned": self.required_assigned,
            "behind_pace": self.behind_pace,
            "overdue": self.overdue,
        }


@dataclass(slots=True)
class CourseFigures:
    id: int
    slug: str
    title: str
    due_date: date | None  # the earliest due date among the assignments that reach the subtree
    assigned: int = 0
    completed: int = 0

    @property
    def completion_rate(self) -> float:
        return _rate(self.completed, self.assigned)

    def as_json(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "title": self.title,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "assigned": self.assigned,
            "completed": self.completed,
            "completion_rate": self.completion_rate,
        }


@dataclass(slots=True)
class UnitTotals:
    id: int
    path: str
    name: str
    members: int = 0
    hours: Decimal = ZERO
    target: Decimal = ZERO
    required_assigned: int = 0
    required_completed: int = 0
    overdue_members: int = 0
    behind_members: int = 0
    reached_target: int = 0

    @property
    def completion_rate(self) -> float:
        return _rate(self.required_completed, self.required_assigned)

    @property
    def average_hours(self) -> Decimal:
        return (self.hours / self.members).quantize(Decimal("0.1")) if self.members else ZERO

    def add(self, member: MemberFigures) -> None:
        self.members += 1
        self.hours += member.hours
        self.target += member.target
        self.required_assigned += member.required_assigned
        self.required_completed += member.required_completed
        self.overdue_members += bool(member.overdue)
        self.behind_members += member.behind_pace
        self.reached_target += member.hours >= member.target

    def merge(self, other: "UnitTotals") -> None:
        for name in (
            "members",
            "hours",
            "target",
            "required_assigned",
            "required_completed",
            "overdue_members",
            "behind_members",
            "reached_target",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "path": self.path,
            "name": self.name,
            "members": self.members,
            "hours": float(self.hours),
            "target": float(self.target),
            "required_completed": self.required_completed,
            "required_assigned": self.required_assigned,
            "completion_rate": self.completion_rate,
            "overdue_members": self.overdue_members,
            "behind_pace_members": self.behind_members,
            "reached_target": self.reached_target,
        }


@dataclass
class UnitReport:
    unit: UnitTotals
    year: int
    on: date  # the day the pace and the overdue flags are judged on
    members: list[MemberFigures] = field(default_factory=list)
    courses: list[CourseFigures] = field(default_factory=list)
    subunits: list[UnitTotals] = field(default_factory=list)
    hours_by_month: list[Decimal] = field(default_factory=lambda: [ZERO] * 12)

    @property
    def overdue(self) -> list[MemberFigures]:
        return [member for member in self.members if member.overdue]

    @property
    def behind(self) -> list[MemberFigures]:
        return [member for member in self.members if member.behind_pace]

    def as_json(self) -> dict[str, object]:
        return {
            "unit": {"id": self.unit.id, "path": self.unit.path, "name": self.unit.name},
            "year": self.year,
            "as_of": self.on.isoformat(),
            "totals": self.unit.as_json(),
            "members": [member.as_json() for member in self.members],
            "courses": [course.as_json() for course in self.courses],
            "subunits": [subunit.as_json() for subunit in self.subunits],
            "hours_by_month": [float(hours) for hours in self.hours_by_month],
        }


def today() -> date:
    return ledger.local_time().date()


def _targets(unit_ids: set[int], year: int) -> dict[tuple[int, Role], Decimal]:
    rows = db.session.execute(
        select(Target.unit_id, Target.role, Target.hours).where(
            Target.unit_id.in_(unit_ids), Target.year == year
        )
    )
    return {(unit_id, role): hours for unit_id, role, hours in rows}


@dataclass
class _UnitContext:
    """What every member of one unit shares in a report, worked out once per unit."""

    path: str
    path_ids: list[int]
    required: dict[int, date | None]  # the required courses reaching the unit, with their due dates
    overdue_candidates: list[tuple[str, int]]  # (slug, course id) of those already due, by slug
    child_id: int | None  # which of the report unit's children the unit lies under
    members: UnitTotals  # the figures of the members of exactly this unit
    targets: dict[frozenset[Role], tuple[Decimal, Decimal]] = field(default_factory=dict)  # target, expected


def _required_courses(
    assignments: Iterable[Row[int, date | None, int, str, str]], units: list[OrgUnit]
) -> dict[int, dict[int, date | None]]:
    """Which required courses reach each unit (assigned to it or above it), with the earliest due date."""
    assigned_at: dict[int, dict[int, date | None]] = defaultdict(dict)
    for row in assignments:
        assigned_at[row.unit_id][row.id] = _earliest(
            assigned_at[row.unit_id].get(row.id, row.due_date), row.due_date
        )
    reaching: dict[int, dict[int, date | None]] = {}
    for unit in units:
        courses: dict[int, date | None] = {}
        for ancestor_id in unit.path_ids:
            for course_id, due in assigned_at.get(ancestor_id, {}).items():
                courses[course_id] = _earliest(courses.get(course_id, due), due)
        reaching[unit.id] = courses
    return reaching


def _earliest(first: date | None, second: date | None) -> date | None:
    return min(filter(None, (first, second)), default=None)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a report is built.

    A committee's report makes tens of thousands of small objects, which triggers full collections
    that rescan the whole heap again and again (a third of the time at 20,000 members); none of
    these objects can form a cycle, so there is nothing for the collector to find meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_unit_report(unit_id: int, year: int, on: date | None = None) -> UnitReport | None:
    """The unit's report for ``year`` judged on ``on`` (today by default); None if no such unit."""
    with _collector_paused():
        return _build_unit_report(unit_id, year, on)


def _build_unit_report(unit_id: int, year: int, on: date | None) -> UnitReport | None:
    root = db.session.get(OrgUnit, unit_id)
    if root is None:
        return None
    on = on or today()
    units = list(
        db.session.scalars(select(OrgUnit).where(OrgUnit.in_subtree(root.path)).order_by(OrgUnit.path))
    )
    paths = name_paths(units)
    unit_ids = [unit.id for unit in units]
    scope_ids = set(unit_ids) | set(root.path_ids)  # the subtree and the units above it

    # Core rows, not ORM ones: a committee's report reads tens of thousands of them.
    connection = db.session.connection()
    in_scope = (User.unit_id.in_(unit_ids), User.active.is_(True))
    members_in_scope = select(User.id).where(*in_scope)
    people = connection.execute(
        select(User.id, User.username, User.display_name, User.unit_id)
        .where(*in_scope)
        .order_by(User.username)
    ).all()
    targets = _targets(scope_ids, year)
    # Every member has the members' target; other roles matter only where a target is set for them.
    roles_with_targets = {role for _unit_id, role in targets} - {Role.MEMBER}
    roles: dict[int, set[Role]] = defaultdict(set)
    if roles_with_targets:
        for user_id, role in connection.execute(
            select(RoleGrant.user_id, RoleGrant.role).where(
                RoleGrant.user_id.in_(members_in_scope), RoleGrant.role.in_(roles_with_targets)
            )
        ).all():
            roles[user_id].add(role)
    entries_in_scope = (
        select(HourEntry.user_id, HourEntry.hours, HourEntry.created_at)
        .join(User, User.id == HourEntry.user_id)
        .where(*in_scope, HourEntry.year == year)
        .subquery()
    )
    hours = dict(
        connection.execute(
            select(entries_in_scope.c.user_id, func.sum(entries_in_scope.c.hours)).group_by(
                entries_in_scope.c.user_id
            )
        ).all()
    )
    month = extract("month", entries_in_scope.c.created_at)
    by_month = connection.execute(select(month, func.sum(entries_in_scope.c.hours)).group_by(month)).all()
    assignments = connection.execute(
        select(Assignment.unit_id, Assignment.due_date, Course.id, Course.slug, Course.title)
        .join(Course, Assignment.course_id == Course.id)
        .where(Assignment.unit_id.in_(scope_ids), Assignment.year == year, Assignment.required.is_(True))
        .order_by(Course.title)
    ).all()
    courses = {row.id: CourseFigures(row.id, row.slug, row.title, row.due_date) for row in assignments}
    completed_by_member: dict[int, set[int]] = defaultdict(set)
    if courses:
        for user_id, course_id in connection.execute(
            select(Certificate.user_id, Certificate.course_id)
            .join(User, User.id == Certificate.user_id)
            .where(*in_scope, Certificate.course_id.in_(list(courses)))
        ).all():
            completed_by_member[user_id].add(course_id)

    required = _required_courses(assignments, units)
    children = {unit.id for unit in units if unit.parent_id == root.id}
    contexts = {}
    for unit in units:
        due_already = [
            (courses[course_id].slug, course_id)
            for course_id, due in required[unit.id].items()
            if due and due < on
        ]
        contexts[unit.id] = _UnitContext(
            path=paths[unit.id],
            path_ids=unit.path_ids,
            required=required[unit.id],
            overdue_candidates=sorted(due_already),
            child_id=next((ancestor for ancestor in unit.path_ids if ancestor in children), None),
            members=UnitTotals(unit.id, paths[unit.id], unit.name),
        )

    report = UnitReport(unit=UnitTotals(root.id, paths[root.id], root.name), year=year, on=on)
    completed_courses: Counter[int] = Counter()
    no_courses: set[int] = set()
    for user_id, username, name, member_unit_id in people:
        assert member_unit_id is not None  # in_scope: a unit of the subtree
        context = contexts[member_unit_id]
        member_roles = frozenset(roles[user_id])
        if member_roles not in context.targets:  # members alike share a target: work it out once
            target = ledger.nearest_target(set(member_roles), context.path_ids, targets)
            context.targets[member_roles] = (target, expected_hours(target, year, on))
        target, expected = context.targets[member_roles]
        done = context.required.keys() & completed_by_member.get(user_id, no_courses)
        completed_courses.update(done)
        member = MemberFigures(
            id=user_id,
            username=username,
            name=name,
            unit_id=member_unit_id,
            unit_path=context.path,
            hours=hours.get(user_id, ZERO),
            target=target,
            expected=expected,
            required_assigned=len(context.required),
            required_completed=len(done),
            overdue=[slug for slug, course_id in context.overdue_candidates if course_id not in done],
        )
        report.members.append(member)
        context.members.add(member)

    subunits = {
        unit.id: UnitTotals(unit.id, paths[unit.id], unit.name) for unit in units if unit.id in children
    }
    for context in contexts.values():
        report.unit.merge(context.members)
        if context.child_id is not None:
            subunits[context.child_id].merge(context.members)
        for course_id in context.required:
            courses[course_id].assigned += context.members.members
    for course_id, count in completed_courses.items():
        courses[course_id].completed = count
    report.courses = sorted((course for course in courses.values() if course.assigned), key=lambda c: c.title)
    report.subunits = sorted(subunits.values(), key=lambda totals: totals.path)
    for month_number, month_hours in by_month:
        report.hours_by_month[int(month_number) - 1] = month_hours
    return report


# --- drill-down below a unit: one member, then one course -----------------------------------------


@dataclass
class MemberCourse:
    course: Course
    due_date: date | None
    completed_on: date | None
    lessons_done: int
    lessons_total: int


def member_courses(member: User, year: int) -> list[MemberCourse]:
    """The required courses that reach the member's unit this year, with their completion."""
    if member.unit is None:
        return []
    path_ids = member.unit.path_ids
    rows = db.session.execute(
        select(Course, func.min(Assignment.due_date))
        .join(Assignment, Assignment.course_id == Course.id)
        .where(Assignment.unit_id.in_(path_ids), Assignment.year == year, Assignment.required.is_(True))
        .group_by(Course.id)
        .order_by(Course.title)
    ).all()
    course_ids = [course.id for course, _due in rows]
    issued = dict(
        db.session.execute(
            select(Certificate.course_id, Certificate.issued_at).where(
                Certificate.user_id == member.id, Certificate.course_id.in_(course_ids)
            )
        ).all()
    )
    current = (
        select(Lesson.course_id, Lesson.id)
        .join(Module, Lesson.module_id == Module.id)
        .where(Lesson.course_id.in_(course_ids), Lesson.removed_at.is_(None), Module.removed_at.is_(None))
        .subquery()
    )
    totals: dict[int, int] = dict(
        db.session.execute(select(current.c.course_id, func.count()).group_by(current.c.course_id)).all()
    )
    done: dict[int, int] = dict(
        db.session.execute(
            select(current.c.course_id, func.count())
            .join(LessonProgress, LessonProgress.lesson_id == current.c.id)
            .where(LessonProgress.user_id == member.id, LessonProgress.completed_at.is_not(None))
            .group_by(current.c.course_id)
        ).all()
    )
    return [
        MemberCourse(
            course=course,
            due_date=due,
            completed_on=ledger.local_time(issued[course.id]).date() if course.id in issued else None,
            lessons_done=done.get(course.id, 0),
            lessons_total=totals.get(course.id, 0),
        )
        for course, due in rows
    ]


@dataclass
class MemberLesson:
    lesson: Lesson
    opened_at: date | None
    completed_at: date | None


def member_lessons(member: User, course: Course) -> list[MemberLesson]:
    """The course's current lessons in order, with when the member opened and completed each."""
    lessons = db.session.execute(
        select(Lesson, LessonProgress)
        .join(Module, Lesson.module_id == Module.id)
        .outerjoin(
            LessonProgress, (LessonProgress.lesson_id == Lesson.id) & (LessonProgress.user_id == member.id)
        )
        .where(Lesson.course_id == course.id, Lesson.removed_at.is_(None), Module.removed_at.is_(None))
        .order_by(Module.position, Lesson.position)
    ).all()

    def local_date(at: datetime | None) -> date | None:
        return ledger.local_time(at).date() if at else None

    return [
        MemberLesson(
            lesson,
            local_date(progress.first_opened_at if progress else None),
            local_date(progress.completed_at if progress else None),
        )
        for lesson, progress in lessons
    ]


# --- reading a report is itself recorded --------------------------------------------------------


def open_unit_report(
    viewer: User | None, unit_id: int, year: int, action: str = "report.view", **detail: str
) -> UnitReport:
    """Build the report and record in the audit log who read or exported these members' figures."""
    report = build_unit_report(unit_id, year)
    assert report is not None  # the caller has the unit
    record_audit(viewer, action, "org_unit", unit_id, {"year": year, **detail})
    db.session.commit()
    return report


def open_member_report(viewer: User, member: User, year: int) -> list[MemberCourse]:
    courses = member_courses(member, year)
    if viewer.id != member.id:
        record_audit(viewer, "report.view_member", "user", member.id, {"year": year})
        db.session.commit()
    return courses


def total_mismatches(year: int, unit: OrgUnit | None = None) -> list[Violation]:
    """Members whose report total differs from their ledger total (``flask progress verify`` asks)."""
    roots = (
        [unit] if unit is not None else db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)))
    )
    found = []
    for root in roots:
        report = build_unit_report(root.id, year)
        for member in report.members if report else []:
            in_ledger = ledger.total_for(member.id, year)
            if member.hours != in_ledger:
                found.append(
                    Violation(
                        "report_total_mismatch",
                        member.username,
                        f"unit:{root.id}",
                        f"report {ledger.format_hours(member.hours)} h, ledger {ledger.format_hours(in_ledger)} h",
                        member.id,
                    )
                )
    return found
