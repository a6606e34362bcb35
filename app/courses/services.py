"""Operations on courses: the catalogue, enrolment and assignments."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from app.auth.models import User
from app.courses.errors import CourseError
from app.courses.models import (
    Assignment,
    Course,
    CourseStatus,
    CourseTag,
    Enrolment,
    EnrolmentSource,
    Lesson,
    LessonKind,
)
from app.courses.permissions import visible_courses
from app.extensions import contains_pattern, db, insert_unless_taken
from app.library import services as library
from app.org.models import OrgUnit
from app.timeutil import utcnow


def current_year() -> int:
    return utcnow().year


@dataclass
class CatalogueEntry:
    course: Course
    assigned: bool = False
    required: bool = False
    due_date: date | None = None
    enrolled: bool = False


def _unit_ids_above(user: User) -> list[int]:
    """The member's unit and every unit above it: assignments to any of them apply to the member."""
    if user.unit is None:
        return []
    return user.unit.path_ids


def member_assignments(user: User, year: int | None = None) -> dict[int, CatalogueEntry]:
    """Return, per course id, how the member's units assign it this year (required wins)."""
    unit_ids = _unit_ids_above(user)
    if not unit_ids:
        return {}
    rows = db.session.scalars(
        select(Assignment)
        .join(Course, Assignment.course_id == Course.id)
        .options(contains_eager(Assignment.course))  # each entry names its course: no query per course
        .where(
            Assignment.unit_id.in_(unit_ids),
            Assignment.year == (year or current_year()),
            Course.status == CourseStatus.PUBLISHED,
        )
    )
    entries: dict[int, CatalogueEntry] = {}
    for assignment in rows:
        entry = entries.setdefault(
            assignment.course_id, CatalogueEntry(course=assignment.course, assigned=True)
        )
        if assignment.required and not entry.required:
            entry.required, entry.due_date = True, assignment.due_date
        elif (
            assignment.required == entry.required
            and assignment.due_date
            and (entry.due_date is None or assignment.due_date < entry.due_date)
        ):
            entry.due_date = assignment.due_date
    return entries


def catalogue(user: User, query: str = "", tag: str = "") -> list[CatalogueEntry]:
    """List the published courses matching ``query`` and ``tag``: required ones first, by deadline."""
    statement = visible_courses(user)
    query = (query or "").replace("\x00", "").strip()
    tag = (tag or "").replace("\x00", "")  # PostgreSQL refuses NUL in a text parameter
    if query:
        statement = statement.where(Course.title.ilike(contains_pattern(query), escape="\\"))
    if tag:
        statement = statement.where(Course.id.in_(select(CourseTag.course_id).where(CourseTag.name == tag)))
    assigned = member_assignments(user)
    enrolled = set(db.session.scalars(select(Enrolment.course_id).where(Enrolment.user_id == user.id)))
    entries = []
    for course in db.session.scalars(statement.options(selectinload(Course.tags))):
        entry = assigned.get(course.id) or CatalogueEntry(course=course)
        entry.enrolled = course.id in enrolled or entry.assigned  # an assignment enrols (see below)
        entries.append(entry)
    return sorted(
        entries,
        key=lambda e: (not e.required, not e.assigned, e.due_date or date.max, e.course.title),
    )


def catalogue_tags() -> list[str]:
    statement = (
        select(CourseTag.name)
        .join(Course, CourseTag.course_id == Course.id)
        .where(Course.status == CourseStatus.PUBLISHED)
        .distinct()
        .order_by(CourseTag.name)
    )
    return list(db.session.scalars(statement))


def enrolment_of(user: User, course: Course) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )


def enrol_in_assigned_courses(member: User) -> int:
    """Enrol the member in every course assigned to their units this year; return how many were new.

    Runs where enrolments change, never on a page view: the org domain announces a member placed in a
    unit (a new account, a transfer, a roster row) and this listens; ``assign_course`` enrols a whole
    subtree. It only flushes: the caller commits.
    """
    if not member.active:
        return 0
    with db.session.no_autoflush:  # a roster import places thousands: no flush unless there is work
        assigned = member_assignments(member)
    if not assigned:
        return 0
    db.session.flush()  # a new account gets its id
    already = set(
        db.session.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == member.id, Enrolment.course_id.in_(list(assigned))
            )
        )
    )
    return sum(
        _add_enrolment(member.id, course_id, EnrolmentSource.ASSIGNED)
        for course_id in assigned
        if course_id not in already
    )


def is_enrolled(user: User, course: Course) -> bool:
    """Whether the member studies the course: enrolled, or assigned it this year (which enrols them)."""
    return enrolment_of(user, course) is not None or course.id in member_assignments(user)


def _add_enrolment(user_id: int, course_id: int, source: EnrolmentSource) -> bool:
    """Enrol in the caller's transaction; False when the member was enrolled already (maybe a moment
    ago by a concurrent request: the unique key decides)."""
    return insert_unless_taken(Enrolment, course_id=course_id, user_id=user_id, source=source) is not None


def ensure_enrolled(user: User, course: Course) -> Enrolment:
    """The member's enrolment in the course, added in the caller's transaction when missing."""
    existing = enrolment_of(user, course)
    if existing:
        return existing
    source = EnrolmentSource.ASSIGNED if course.id in member_assignments(user) else EnrolmentSource.SELF
    _add_enrolment(user.id, course.id, source)
    enrolment = enrolment_of(user, course)
    assert enrolment is not None  # added here or by the concurrent request that won
    return enrolment


def enrol(user: User, course: Course) -> Enrolment:
    """Enrol the member in a published course (one click for electives); enrolling twice is harmless."""
    if course.status is not CourseStatus.PUBLISHED:
        raise CourseError(_("This course is not published."))
    enrolment = ensure_enrolled(user, course)
    db.session.commit()
    return enrolment


def current_lessons(course: Course) -> list[Lesson]:
    """The course's lessons in reading order (removed ones left out)."""
    return [
        lesson for module in course.modules if module.removed_at is None for lesson in module.current_lessons
    ]


def neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    lessons = current_lessons(lesson.course)
    index = lessons.index(lesson)
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    return previous, following


# --- assignments -----------------------------------------------------------------------------------


def assign_course(
    course: Course,
    unit: OrgUnit,
    year: int,
    required: bool,
    due_date: date | None,
    assigned_by: User | None,
) -> Assignment:
    """Assign a published course to a unit (and so its subtree) for a year; enrol its members."""
    if course.status is not CourseStatus.PUBLISHED:
        raise CourseError(_("Publish the course before assigning it."))
    if not 2000 <= year <= 2100:
        raise CourseError(_("Give a year between 2000 and 2100."))
    if due_date is not None and due_date.year != year:
        raise CourseError(_("The due date must fall within the assigned year."))
    assignment = db.session.scalar(
        select(Assignment).where(
            Assignment.course_id == course.id, Assignment.unit_id == unit.id, Assignment.year == year
        )
    )
    if assignment is None:
        assignment = Assignment(course=course, unit=unit, year=year)
        db.session.add(assignment)
    assignment.required = required
    assignment.due_date = due_date
    assignment.assigned_by = assigned_by
    if year == current_year():
        _enrol_subtree(course, unit)
    db.session.commit()
    return assignment


def _enrol_subtree(course: Course, unit: OrgUnit) -> None:
    already = select(Enrolment.user_id).where(Enrolment.course_id == course.id)
    members = db.session.scalars(
        select(User.id)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(OrgUnit.in_subtree(unit.path), User.active.is_(True), User.id.not_in(already))
    )
    for user_id in members:
        db.session.add(Enrolment(course_id=course.id, user_id=user_id, source=EnrolmentSource.ASSIGNED))


def remove_assignment(assignment: Assignment) -> None:
    """Withdraw an assignment; enrolments and progress already made stay."""
    db.session.delete(assignment)
    db.session.commit()


@dataclass
class ReadingReference:
    """What a reading lesson's link shows: the document's title and section heading, when they exist."""

    title: str
    section: str | None
    missing: bool


def reading_reference(lesson: Lesson) -> ReadingReference | None:
    if lesson.kind is not LessonKind.READING or not lesson.reading_document:
        return None
    document = library.get_document_by_key(lesson.reading_document)
    if document is None:
        return ReadingReference(lesson.reading_document, lesson.reading_section, missing=True)
    section = library.find_section(document, lesson.reading_section)
    return ReadingReference(document.title, section.heading if section else lesson.reading_section, False)
