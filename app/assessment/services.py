"""Target responsibility assessment: targets, recorded values, PDCA notes and the quarter's board.

A target names a measure for a role in a unit, for one quarter of a year, with a required level
(必达目标) and a stretch level (挑战目标). It applies to the unit and every unit below it unless a unit
below sets its own for the same role, quarter and measure (the nearest unit on the path wins, as for
the annual study-hour targets).

The computed measures are read to the end of the quarter (in the display time zone), from the start
of the year, over a unit's whole subtree:

- ``average_hours``: the ledger's hours of the year credited by then, per person of the role (every
  active account of the subtree for members; accounts holding the role otherwise);
- ``required_completion``: the share (percent) of the required courses assigned to each person's unit
  or a unit above it for the year that they had completed (certificate issued) by then;
- ``sessions_held``: in-person study sessions recorded for units of the subtree, held by then;
- ``manual``: the values secretaries recorded for the quarter, added up over the subtree.

The board of a unit shows the unit itself (its whole subtree) and each unit directly below it (each
rolled up over its own subtree), each against the targets in force there.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.assessment.models import AssessmentTarget, ManualValue, Measure, PdcaNote
from app.audit.services import record_audit
from app.auth.models import Role, RoleGrant, User
from app.courses.models import Assignment
from app.errors import DomainError
from app.extensions import db
from app.org.models import OrgUnit, nearest_on_path, path_covers, path_ids
from app.org.services import name_paths
from app.progress.ledger import format_hours
from app.progress.models import Certificate, HourEntry, StudySession
from app.timeutil import utcnow

QUARTERS = (1, 2, 3, 4)
ROLES = (Role.MEMBER, Role.SECRETARY)
MAX_NOTE_CHARS = 5000


class AssessmentError(DomainError):
    pass


# --- quarters -------------------------------------------------------------------------------------


def current_quarter(at: datetime | None = None) -> tuple[int, int]:
    local = (at or utcnow()).replace(tzinfo=UTC).astimezone(_zone())
    return local.year, (local.month - 1) // 3 + 1


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))


def quarter_end(year: int, quarter: int) -> date:
    """The first day after the quarter (exclusive end)."""
    return date(year + 1, 1, 1) if quarter == 4 else date(year, quarter * 3 + 1, 1)


def quarter_end_utc(year: int, quarter: int) -> datetime:
    """The quarter's end, local midnight, as a stored (naive UTC) time."""
    end = quarter_end(year, quarter)
    local = datetime(end.year, end.month, end.day, tzinfo=_zone())
    return local.astimezone(UTC).replace(tzinfo=None)


def check_period(year: int, quarter: int) -> None:
    if not 2000 <= year <= 2100 or quarter not in QUARTERS:
        raise AssessmentError(_("Give a year between 2000 and 2100 and a quarter from 1 to 4."))


# --- targets --------------------------------------------------------------------------------------


def _level(value: object, measure: Measure) -> Decimal:
    try:
        level = Decimal(str(value))
    except InvalidOperation:
        level = Decimal("NaN")
    most = Decimal("100") if measure is Measure.REQUIRED_COMPLETION else Decimal("100000")
    if not level.is_finite() or not 0 <= level <= most or level != round(level, 2):
        raise AssessmentError(
            _(
                "Give each level as a number from 0 to %(most)s with at most two decimals.",
                most=format_hours(most),
            )
        )
    return level


def _name(measure: Measure, name: str | None) -> str:
    name = " ".join((name or "").split())
    if measure is not Measure.MANUAL:
        return ""
    if not 1 <= len(name) <= 100:
        raise AssessmentError(_("A recorded measure needs a name of at most 100 characters."))
    return name


def set_target(
    unit: OrgUnit,
    role: Role,
    year: int,
    quarters: list[int],
    measure: Measure,
    name: str | None,
    required_level: object,
    stretch_level: object,
    set_by: User,
) -> list[AssessmentTarget]:
    """Set a measure's levels for a role in the unit (and below) for these quarters: one action."""
    for quarter in quarters or [0]:
        check_period(year, quarter)
    if role not in ROLES:
        raise AssessmentError(_("Targets are set for members or for secretaries."))
    name = _name(measure, name)
    required, stretch = _level(required_level, measure), _level(stretch_level, measure)
    if stretch < required:
        raise AssessmentError(_("The stretch level cannot be below the required level."))
    targets = []
    for quarter in sorted(set(quarters)):
        target = db.session.scalar(
            select(AssessmentTarget).where(
                AssessmentTarget.unit_id == unit.id,
                AssessmentTarget.role == role,
                AssessmentTarget.year == year,
                AssessmentTarget.quarter == quarter,
                AssessmentTarget.measure == measure,
                AssessmentTarget.name == name,
            )
        )
        if target is None:
            target = AssessmentTarget(
                unit_id=unit.id, role=role, year=year, quarter=quarter, measure=measure, name=name
            )
            db.session.add(target)
        target.required_level, target.stretch_level = required, stretch
        target.set_by_id, target.set_at = set_by.id, utcnow()
        targets.append(target)
    db.session.flush()
    record_audit(
        set_by,
        "assessment_target.set",
        "org_unit",
        unit.id,
        {
            "role": role.value,
            "year": year,
            "quarters": sorted(set(quarters)),
            "measure": measure.value,
            "name": name,
            "required": format_hours(required),
            "stretch": format_hours(stretch),
        },
    )
    db.session.commit()
    return targets


def remove_target(target: AssessmentTarget, removed_by: User) -> None:
    record_audit(
        removed_by,
        "assessment_target.remove",
        "org_unit",
        target.unit_id,
        {
            "role": target.role.value,
            "year": target.year,
            "quarter": target.quarter,
            "measure": target.measure.value,
            "name": target.name,
        },
    )
    db.session.delete(target)
    db.session.commit()


def own_targets(unit: OrgUnit, year: int, quarter: int) -> list[AssessmentTarget]:
    return list(
        db.session.scalars(
            select(AssessmentTarget)
            .where(
                AssessmentTarget.unit_id == unit.id,
                AssessmentTarget.year == year,
                AssessmentTarget.quarter == quarter,
            )
            .order_by(AssessmentTarget.role, AssessmentTarget.measure, AssessmentTarget.name)
        )
    )


def targets_in_force(
    path_ids: list[int], targets: list[AssessmentTarget]
) -> dict[tuple[Role, Measure, str], AssessmentTarget]:
    """For each (role, measure, name), the target of the nearest unit on ``path_ids`` that sets one."""
    by_key: dict[tuple[Role, Measure, str], dict[int, AssessmentTarget]] = {}
    for target in targets:
        by_key.setdefault((target.role, target.measure, target.name), {})[target.unit_id] = target
    found = {key: nearest_on_path(path_ids, by_unit) for key, by_unit in by_key.items()}
    return {key: target for key, target in found.items() if target is not None}


# --- recorded values and notes --------------------------------------------------------------------


def record_value(
    unit: OrgUnit, year: int, quarter: int, name: str, value: object, recorded_by: User
) -> ManualValue:
    check_period(year, quarter)
    name = _name(Measure.MANUAL, name)
    amount = _level(value, Measure.MANUAL)
    row = db.session.scalar(
        select(ManualValue).where(
            ManualValue.unit_id == unit.id,
            ManualValue.year == year,
            ManualValue.quarter == quarter,
            ManualValue.name == name,
        )
    )
    before = format_hours(row.value) if row else None
    if row is None:
        row = ManualValue(unit_id=unit.id, year=year, quarter=quarter, name=name)
        db.session.add(row)
    row.value, row.recorded_by_id, row.recorded_at = amount, recorded_by.id, utcnow()
    db.session.flush()
    record_audit(
        recorded_by,
        "assessment_value.set",
        "org_unit",
        unit.id,
        {"year": year, "quarter": quarter, "name": name, "value": [before, format_hours(amount)]},
    )
    db.session.commit()
    return row


def notes_of(unit: OrgUnit, year: int, quarter: int) -> PdcaNote | None:
    return db.session.scalar(
        select(PdcaNote).where(
            PdcaNote.unit_id == unit.id, PdcaNote.year == year, PdcaNote.quarter == quarter
        )
    )


PDCA_FIELDS = ("plan", "do", "check", "act")


def save_notes(unit: OrgUnit, year: int, quarter: int, texts: dict[str, str], saved_by: User) -> PdcaNote:
    """Save the quarter's plan / do / check / act notes of the unit; the audit names what changed."""
    check_period(year, quarter)
    cleaned = {name: (texts.get(name) or "").strip() for name in PDCA_FIELDS}
    if any(len(text) > MAX_NOTE_CHARS for text in cleaned.values()):
        raise AssessmentError(_("Each note has at most %(most)d characters.", most=MAX_NOTE_CHARS))
    note = notes_of(unit, year, quarter)
    if note is None:
        note = PdcaNote(unit_id=unit.id, year=year, quarter=quarter)
        db.session.add(note)
    changed = [name for name in PDCA_FIELDS if (getattr(note, name) or "") != cleaned[name]]
    for name in PDCA_FIELDS:
        setattr(note, name, cleaned[name])
    note.updated_by_id, note.updated_at = saved_by.id, utcnow()
    db.session.flush()
    if changed:
        record_audit(
            saved_by,
            "assessment_pdca.save",
            "org_unit",
            unit.id,
            {"year": year, "quarter": quarter, "changed": changed},
        )
    db.session.commit()
    return note


# --- the board ------------------------------------------------------------------------------------


@dataclass
class Cell:
    target: AssessmentTarget
    value: Decimal | None  # None: nobody to measure (no members of the role)
    population: int

    @property
    def status(self) -> str:
        """ "stretch" (挑战目标达成), "required" (必达目标达成), "missed" or "none"."""
        if self.value is None:
            return "none"
        if self.value >= self.target.stretch_level:
            return "stretch"
        if self.value >= self.target.required_level:
            return "required"
        return "missed"


@dataclass
class BoardRow:
    unit: OrgUnit
    path: str
    cells: dict[tuple[Role, Measure, str], Cell] = field(default_factory=dict)


@dataclass
class Board:
    unit: OrgUnit
    year: int
    quarter: int
    keys: list[tuple[Role, Measure, str]]  # the columns: every (role, measure, name) in force somewhere
    rows: list[BoardRow]  # the unit itself first, then each unit directly below it
    notes: PdcaNote | None

    @property
    def summary(self) -> dict[str, int]:
        counts = {"stretch": 0, "required": 0, "missed": 0, "none": 0}
        for row in self.rows[1:] or self.rows:
            for cell in row.cells.values():
                counts[cell.status] += 1
        return counts


@dataclass
class _Person:
    unit_path: str
    unit_path_ids: list[int]
    roles: set[Role]
    hours: Decimal = Decimal("0")
    completed: set[int] = field(default_factory=set)


def _people(root: OrgUnit, year: int, end: datetime) -> list[_Person]:
    """Every active account of the subtree with its roles, its hours by ``end`` and its certificates."""
    connection = db.session.connection()
    rows = connection.execute(
        select(User.id, OrgUnit.path)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(OrgUnit.in_subtree(root.path), User.active.is_(True))
    ).all()
    people = {user_id: _Person(path, path_ids(path), set()) for user_id, path in rows}
    in_scope = (
        select(User.id)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(OrgUnit.in_subtree(root.path), User.active.is_(True))
    )
    for user_id, role in connection.execute(
        select(RoleGrant.user_id, RoleGrant.role).where(RoleGrant.user_id.in_(in_scope))
    ):
        people[user_id].roles.add(role)
    for user_id, hours in connection.execute(
        select(HourEntry.user_id, func.sum(HourEntry.hours))
        .where(HourEntry.user_id.in_(in_scope), HourEntry.year == year, HourEntry.created_at < end)
        .group_by(HourEntry.user_id)
    ):
        people[user_id].hours = Decimal(str(hours))
    for user_id, course_id in connection.execute(
        select(Certificate.user_id, Certificate.course_id).where(
            Certificate.user_id.in_(in_scope), Certificate.issued_at < end
        )
    ):
        people[user_id].completed.add(course_id)
    return list(people.values())


def _required_by_unit(root: OrgUnit, year: int) -> dict[int, set[int]]:
    """The required courses assigned for the year to each unit of the subtree or above it."""
    scope = select(OrgUnit.id).where(OrgUnit.in_subtree(root.path))
    required: dict[int, set[int]] = defaultdict(set)
    for unit_id, course_id in db.session.execute(
        select(Assignment.unit_id, Assignment.course_id).where(
            (Assignment.unit_id.in_(scope)) | (Assignment.unit_id.in_(root.path_ids)),
            Assignment.year == year,
            Assignment.required.is_(True),
        )
    ):
        required[unit_id].add(course_id)
    return required


def _sessions(root: OrgUnit, year: int, quarter: int) -> list[str]:
    """The unit path of each session held in the subtree from the year's start to the quarter's end."""
    return list(
        db.session.scalars(
            select(OrgUnit.path)
            .join(StudySession, StudySession.unit_id == OrgUnit.id)
            .where(
                OrgUnit.in_subtree(root.path),
                StudySession.held_on >= date(year, 1, 1),
                StudySession.held_on < quarter_end(year, quarter),
            )
        )
    )


def _manual_values(root: OrgUnit, year: int, quarter: int) -> list[tuple[str, str, Decimal]]:
    return [
        (path, name, value)
        for path, name, value in db.session.execute(
            select(OrgUnit.path, ManualValue.name, ManualValue.value)
            .join(ManualValue, ManualValue.unit_id == OrgUnit.id)
            .where(OrgUnit.in_subtree(root.path), ManualValue.year == year, ManualValue.quarter == quarter)
        )
    ]


def _in_population(person: _Person, role: Role) -> bool:
    return role is Role.MEMBER or role in person.roles


def _value(
    key: tuple[Role, Measure, str],
    row_path: str,
    people: list[_Person],
    required: dict[int, set[int]],
    sessions: list[str],
    manual: list[tuple[str, str, Decimal]],
) -> tuple[Decimal | None, int]:
    role, measure, name = key
    if measure is Measure.SESSIONS_HELD:
        held = sum(1 for path in sessions if path_covers(row_path, path))
        return Decimal(held), held
    if measure is Measure.MANUAL:
        values = [
            value for path, value_name, value in manual if value_name == name and path_covers(row_path, path)
        ]
        return (sum(values, Decimal("0")) if values else None), len(values)
    population = [
        person
        for person in people
        if path_covers(row_path, person.unit_path) and _in_population(person, role)
    ]
    if not population:
        return None, 0
    if measure is Measure.AVERAGE_HOURS:
        total = sum((person.hours for person in population), Decimal("0"))
        return (total / len(population)).quantize(Decimal("0.01")), len(population)
    assigned = done = 0
    for person in population:
        courses = set().union(*(required.get(unit_id, set()) for unit_id in person.unit_path_ids))
        assigned += len(courses)
        done += len(courses & person.completed)
    if not assigned:
        return None, len(population)
    return (Decimal(done * 100) / assigned).quantize(Decimal("0.1")), len(population)


def build_board(unit: OrgUnit, year: int, quarter: int) -> Board:
    """The unit's board for the quarter: itself and each unit directly below it, against their targets."""
    check_period(year, quarter)
    rows_units = [unit, *sorted(unit.children, key=lambda child: child.name)]
    subtree_ids = select(OrgUnit.id).where(OrgUnit.in_subtree(unit.path))
    targets = list(
        db.session.scalars(
            select(AssessmentTarget).where(
                (AssessmentTarget.unit_id.in_(subtree_ids)) | (AssessmentTarget.unit_id.in_(unit.path_ids)),
                AssessmentTarget.year == year,
                AssessmentTarget.quarter == quarter,
            )
        )
    )
    end = quarter_end_utc(year, quarter)
    people = _people(unit, year, end)
    required = _required_by_unit(unit, year)
    sessions = _sessions(unit, year, quarter)
    manual = _manual_values(unit, year, quarter)
    paths = name_paths(rows_units)
    rows, keys = [], set()
    for row_unit in rows_units:
        row = BoardRow(row_unit, paths[row_unit.id])
        for key, target in targets_in_force(row_unit.path_ids, targets).items():
            value, population = _value(key, row_unit.path, people, required, sessions, manual)
            row.cells[key] = Cell(target, value, population)
            keys.add(key)
        rows.append(row)
    ordered = sorted(keys, key=lambda key: (ROLES.index(key[0]), list(Measure).index(key[1]), key[2]))
    return Board(unit, year, quarter, ordered, rows, notes_of(unit, year, quarter))
