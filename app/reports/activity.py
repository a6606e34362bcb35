"""Platform activity per unit and quarter (信息平台考核评价), rolled up the organisation tree.

For each unit of a subtree and one quarter (Beijing time, or the configured display zone):
in-person sessions held (study sessions by the date they were held), notices published, courses
assigned (assignments made in the quarter, required or elective), board posts written (topics and
replies, not deleted), and active members: members of the unit who left a learning record (any
learning statement: lessons, quizzes, sessions, hours) or wrote a post in the quarter.

Each figure is one grouped query over the subtree, whatever its size; a unit's row holds its own
figures plus those of every unit below it (the roll-up follows the units' materialised paths).
"""

from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, func, select, union

from app.auth.models import User
from app.courses.models import Assignment
from app.discussions.models import Post, PostStatus
from app.extensions import db
from app.notices.models import Notice
from app.org.models import OrgUnit
from app.org.services import name_paths
from app.progress import ledger
from app.progress.models import Statement, StudySession

COUNTED = ("members", "sessions", "notices", "courses_assigned", "board_posts", "active_members")


@dataclass(slots=True)
class ActivityFigures:
    id: int
    path: str  # the unit's names from the root, "甲党委 / 机关党总支 / 第一党支部"
    name: str
    depth: int  # below the report's unit: 0 for the unit itself
    members: int = 0
    sessions: int = 0
    notices: int = 0
    courses_assigned: int = 0
    board_posts: int = 0
    active_members: int = 0

    @property
    def activity_rate(self) -> float:
        return round(self.active_members / self.members, 4) if self.members else 0.0

    def add(self, other: "ActivityFigures") -> None:
        for name in COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self) -> dict[str, object]:
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        return {**values, "activity_rate": self.activity_rate}


@dataclass
class ActivityReport:
    year: int
    quarter: int
    start: date  # the quarter's first day
    end: date  # its last day
    rows: list[ActivityFigures] = field(default_factory=list)  # tree order; rows[0] is the unit

    @property
    def unit(self) -> ActivityFigures:
        return self.rows[0]


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a quarter."""
    start = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, date.fromordinal(following.toordinal() - 1)


def _utc(day: date) -> datetime:
    """Midnight of ``day`` in the display time zone, as the naive UTC the columns store."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def current_quarter() -> tuple[int, int]:
    today = ledger.local_time().date()
    return today.year, quarter_of(today)


def build_activity_report(root: OrgUnit, year: int, quarter: int) -> ActivityReport:
    """The quarter's activity of ``root`` and of every unit below it, each rolled up."""
    start, end = quarter_bounds(year, quarter)
    since, until = _utc(start), _utc(date.fromordinal(end.toordinal() + 1))
    units = list(
        db.session.scalars(select(OrgUnit).where(OrgUnit.in_subtree(root.path)).order_by(OrgUnit.path))
    )
    unit_ids = select(OrgUnit.id).where(OrgUnit.in_subtree(root.path))
    paths = name_paths(units)
    own = {
        unit.id: ActivityFigures(unit.id, paths[unit.id], unit.name, unit.depth - root.depth)
        for unit in units
    }

    def grouped(statement: Select[int | None, int]) -> dict[int, int]:
        """{unit id: count} of a (unit id, count) query grouped by unit."""
        return {unit: count for unit, count in db.session.execute(statement) if unit is not None}

    members_in_scope = (User.unit_id.in_(unit_ids), User.active.is_(True))
    counts = {
        "members": grouped(
            select(User.unit_id, func.count(User.id)).where(*members_in_scope).group_by(User.unit_id)
        ),
        "sessions": grouped(
            select(StudySession.unit_id, func.count(StudySession.id))
            .where(StudySession.unit_id.in_(unit_ids), StudySession.held_on.between(start, end))
            .group_by(StudySession.unit_id)
        ),
        "notices": grouped(
            select(Notice.unit_id, func.count(Notice.id))
            .where(Notice.unit_id.in_(unit_ids), Notice.published_at >= since, Notice.published_at < until)
            .group_by(Notice.unit_id)
        ),
        "courses_assigned": grouped(
            select(Assignment.unit_id, func.count(Assignment.id))
            .where(
                Assignment.unit_id.in_(unit_ids),
                Assignment.created_at >= since,
                Assignment.created_at < until,
            )
            .group_by(Assignment.unit_id)
        ),
        "board_posts": grouped(
            select(Post.unit_id, func.count(Post.id))
            .where(
                Post.unit_id.in_(unit_ids),
                Post.status != PostStatus.DELETED,
                Post.created_at >= since,
                Post.created_at < until,
            )
            .group_by(Post.unit_id)
        ),
    }
    active = union(
        select(Statement.user_id.label("user_id")).where(
            Statement.created_at >= since, Statement.created_at < until
        ),
        select(Post.author_id.label("user_id")).where(Post.created_at >= since, Post.created_at < until),
    ).subquery()
    counts["active_members"] = grouped(
        select(User.unit_id, func.count(User.id))
        .where(*members_in_scope, User.id.in_(select(active.c.user_id)))
        .group_by(User.unit_id)
    )
    for name, by_unit in counts.items():
        for unit_id_, count in by_unit.items():
            setattr(own[unit_id_], name, count)

    rolled = {
        unit.id: ActivityFigures(unit.id, paths[unit.id], unit.name, unit.depth - root.depth)
        for unit in units
    }
    for unit in units:
        for ancestor_id in unit.path_ids[root.depth :]:  # the unit itself and its ancestors up to the root
            rolled[ancestor_id].add(own[unit.id])
    return ActivityReport(year, quarter, start, end, [rolled[unit.id] for unit in units])
