"""The 学时台账: conversion rules per unit (versioned, inherited), credits, corrections and targets.

``credit`` is the one writer of hour entries. Automatic credits are unique per (member, source kind,
source id) in the database: two requests completing the same course at the same moment both insert,
one row is kept, so double credit is impossible. Corrections are new signed entries.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record_audit
from app.auth.models import Role, User
from app.errors import DomainError
from app.extensions import db, insert_unless_taken
from app.org.models import OrgUnit
from app.progress.models import HourEntry, HourRule, RuleKind, SourceKind, Target
from app.progress.statements import add_statement
from app.timeutil import utcnow


class LedgerError(DomainError):
    pass


DEFAULT_TARGET = Decimal("32")  # 《中国共产党党员教育管理工作条例》第二十条
DEFAULT_BANDS = [[0, "0.25"], [15, "0.5"], [30, "1"]]  # under 15 min, 15–30 min, 30 min or more


@dataclass(frozen=True)
class EffectiveRule:
    """The rule that applies to a member: their nearest unit's latest version, else the default."""

    kind: RuleKind
    bands: list = field(default_factory=lambda: DEFAULT_BANDS)
    exam_hours: Decimal = Decimal("0.5")
    session_minutes_per_hour: int = 45
    label: str = "default/v1"

    def lesson_hours(self, minutes: int) -> Decimal:
        """Hours for a lesson of ``minutes`` by the bands (the largest minimum not above it)."""
        hours = Decimal("0")
        for minimum, band_hours in sorted(self.bands, key=lambda band: band[0]):
            if minutes >= minimum:
                hours = Decimal(str(band_hours))
        return hours

    def session_hours(self, minutes: int) -> Decimal:
        """Hours for an in-person session: one per ``session_minutes_per_hour``, in half hours."""
        halves = (Decimal(minutes) * 2 / self.session_minutes_per_hour).quantize(Decimal("1"), ROUND_DOWN)
        return halves / 2


DEFAULT_RULE = EffectiveRule(kind=RuleKind.COURSE_HOURS)


def local_time(at: datetime | None = None) -> datetime:
    """A stored naive UTC time in the display time zone."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    return (at or utcnow()).replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)


def local_year(at: datetime | None = None) -> int:
    """The year in the display time zone (a credit on 31 December 20:00 UTC belongs to 1 January)."""
    return local_time(at).year


# --- conversion rules ------------------------------------------------------------------------------


def _latest_rules(unit_ids: list[int], at: datetime | None = None) -> dict[int, HourRule]:
    """Each unit's latest rule version (added at or before ``at`` when given)."""
    if not unit_ids:
        return {}
    versions = select(HourRule.unit_id, func.max(HourRule.version).label("version")).where(
        HourRule.unit_id.in_(unit_ids)
    )
    if at is not None:
        versions = versions.where(HourRule.created_at <= at)
    latest = versions.group_by(HourRule.unit_id).subquery()
    rows = db.session.scalars(
        select(HourRule).join(
            latest, (HourRule.unit_id == latest.c.unit_id) & (HourRule.version == latest.c.version)
        )
    )
    return {rule.unit_id: rule for rule in rows}


def nearest_rule(unit: OrgUnit | None, at: datetime | None = None) -> HourRule | None:
    """The latest version (in force at ``at``, else now) of the unit's own rule, else of the nearest
    ancestor's; None without one."""
    path = unit.path_ids if unit else []
    rules = _latest_rules(path, at)
    return next((rules[unit_id] for unit_id in reversed(path) if unit_id in rules), None)


def rule_for_unit(unit: OrgUnit | None, at: datetime | None = None) -> EffectiveRule:
    """The nearest ancestor's (or the unit's own) rule version in force at ``at`` (default: now);
    the default rule without one."""
    return effective_rule(nearest_rule(unit, at))


def effective_rule(rule: HourRule | None) -> EffectiveRule:
    """The rule a stored version (None: no version on the path) makes apply."""
    if rule is None:
        return DEFAULT_RULE
    return EffectiveRule(
        kind=rule.kind,
        bands=rule.bands,
        exam_hours=rule.exam_hours,
        session_minutes_per_hour=rule.session_minutes_per_hour,
        label=rule.label,
    )


def rule_for(member: User, at: datetime | None = None) -> EffectiveRule:
    """The rule in force for the member at ``at`` (default: now)."""
    return rule_for_unit(member.unit, at)


def _hours(value, low: str = "0", high: str = "100") -> Decimal:
    try:
        hours = Decimal(str(value))
    except InvalidOperation as error:
        raise LedgerError(_("Give the hours as a number such as 0.5.")) from error
    if not hours.is_finite() or not Decimal(low) <= hours <= Decimal(high) or hours != round(hours, 2):
        raise LedgerError(
            _("Give hours between %(low)s and %(high)s, with at most two decimals.", low=low, high=high)
        )
    return hours


MAX_BAND_MINUTES = 1440
MAX_BAND_HOURS = Decimal("10")


def parse_bands(text: str) -> list[list]:
    """Bands from lines of MINUTES=HOURS ("30=1": 30 minutes or more credit 1 hour), lowest first.

    Blank lines are skipped; the first bad line raises LedgerError naming its number and text.
    """
    bands: list[list] = []
    first_line: dict[int, int] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip().replace("\uff1d", "=")  # a full-width ＝ from a Chinese input method
        if not line:
            continue
        minutes_text, equals, hours_text = line.partition("=")
        shown = line[:40]
        if not equals or not minutes_text.strip() or not hours_text.strip():
            raise LedgerError(
                _(
                    "Line %(number)d (%(line)s): write a band as MINUTES=HOURS, such as 30=1.",
                    number=number,
                    line=shown,
                )
            )
        try:
            minutes = int(minutes_text.strip())
        except ValueError:
            minutes = -1
        if not 0 <= minutes <= MAX_BAND_MINUTES:
            raise LedgerError(
                _(
                    "Line %(number)d (%(line)s): the minimum must be a whole number of minutes from 0 to %(most)d.",
                    number=number,
                    line=shown,
                    most=MAX_BAND_MINUTES,
                )
            )
        try:
            hours = Decimal(hours_text.strip())
        except InvalidOperation:
            hours = Decimal("NaN")
        if not hours.is_finite() or not 0 <= hours <= MAX_BAND_HOURS or hours != round(hours, 2):
            raise LedgerError(
                _(
                    "Line %(number)d (%(line)s): give hours from 0 to %(most)s, with at most two decimals.",
                    number=number,
                    line=shown,
                    most=MAX_BAND_HOURS,
                )
            )
        if minutes in first_line:
            raise LedgerError(
                _(
                    "Line %(number)d (%(line)s): line %(first)d already starts a band at %(minutes)d minutes.",
                    number=number,
                    line=shown,
                    first=first_line[minutes],
                    minutes=minutes,
                )
            )
        first_line[minutes] = number
        bands.append([minutes, format_hours(hours)])
    if not bands:
        raise LedgerError(_("Give at least one band: one MINUTES=HOURS line each, such as 30=1."))
    return sorted(bands)


def bands_text(bands: list) -> str:
    """Bands as the lines parse_bands reads, highest minimum first (as the form shows them)."""
    return "\n".join(f"{minimum}={hours}" for minimum, hours in sorted(bands, reverse=True))


def rule_history(unit: OrgUnit) -> list[tuple[HourRule, User | None]]:
    """The unit's own rule versions, newest first, each with the account that added it."""
    rows = db.session.execute(
        select(HourRule, User)
        .outerjoin(User, HourRule.created_by_id == User.id)
        .where(HourRule.unit_id == unit.id)
        .order_by(HourRule.version.desc())
    )
    return [(rule, author) for rule, author in rows]


def set_rule(
    unit: OrgUnit,
    kind: RuleKind,
    created_by: User | None,
    bands: list | None = None,
    exam_hours="0.5",
    session_minutes_per_hour: int = 45,
) -> HourRule:
    """Add a new version of the unit's rule; entries already credited keep the version they used."""
    bands = [[int(minimum), str(_hours(hours))] for minimum, hours in (bands or DEFAULT_BANDS)]
    if any(minimum < 0 for minimum, _hours_ in bands) or len({b[0] for b in bands}) != len(bands):
        raise LedgerError(_("Each band needs its own minimum number of minutes, zero or more."))
    if not 1 <= session_minutes_per_hour <= 240:
        raise LedgerError(_("An hour of in-person study lasts between 1 and 240 minutes."))
    version = (
        db.session.scalar(select(func.max(HourRule.version)).where(HourRule.unit_id == unit.id)) or 0
    ) + 1
    rule = HourRule(
        unit_id=unit.id,
        version=version,
        kind=kind,
        bands=sorted(bands),
        exam_hours=_hours(exam_hours),
        session_minutes_per_hour=session_minutes_per_hour,
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(rule)
    record_audit(
        created_by,
        "hour_rule.set",
        "hour_rule",
        rule.label,
        {
            "unit_id": unit.id,
            "version": version,
            "kind": kind.value,
            "bands": rule.bands,
            "exam_hours": format_hours(rule.exam_hours),
            "session_minutes_per_hour": session_minutes_per_hour,
        },
    )
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise LedgerError(_("Someone changed this rule at the same moment; try again.")) from error
    return rule


# --- credits and corrections -----------------------------------------------------------------------


def credit(
    member_id: int,
    source_kind: SourceKind,
    source_id: int | None,
    hours: Decimal,
    title: str,
    rule_label: str,
    evidence_ids: list[int] | None = None,
    year: int | None = None,
    created_by_id: int | None = None,
    reason: str = "",
) -> HourEntry | None:
    """Append a ledger entry in the caller's transaction (flushed, not committed): the one writer of
    hour entries. Return it, or None when the source was already credited or the hours are zero.

    Automatic credits are unique per (member, source kind, source id) in the database, and the
    insert skips a taken key instead of failing, so a concurrent request crediting the same source
    a moment earlier leaves the rest of this transaction intact. Corrections (no source id) are
    never unique; their reason is their evidence.
    """
    if hours == 0 or (hours < 0 and source_kind is not SourceKind.CORRECTION):
        return None
    entry_id = insert_unless_taken(
        HourEntry,
        user_id=member_id,
        year=year or local_year(),
        hours=hours,
        source_kind=source_kind,
        source_id=source_id,
        title=title[:200],
        rule_version=rule_label,
        evidence_ids=list(evidence_ids or []),
        created_by_id=created_by_id,
        reason=reason,
    )
    if entry_id is None:
        return None
    if source_kind is not SourceKind.CORRECTION:
        add_statement(
            member_id,
            "credited",
            "hours",
            entry_id,
            title,
            {"hours": str(hours), "source": source_kind.value, "source_id": source_id, "rule": rule_label},
        )
    return db.session.get(HourEntry, entry_id)


def can_correct(user: User, member: User) -> bool:
    """Admins correct anyone's ledger; trainers the members of their own unit's subtree."""
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.TRAINER) and user.unit is not None and user.unit.covers(member.unit)


def add_correction(member: User, hours, reason: str, year: int, corrected_by: User) -> HourEntry:
    """Append a signed correction (positive or negative) with its reason; nothing is edited."""
    if not can_correct(corrected_by, member):
        raise LedgerError(_("Only an administrator or the member's trainer may correct study hours."))
    amount = _hours(hours, "-100", "100")
    reason = (reason or "").strip()
    if amount == 0:
        raise LedgerError(_("A correction changes the hours: give a number other than 0."))
    if not 5 <= len(reason) <= 500:
        raise LedgerError(_("Give the reason for the correction (5 to 500 characters)."))
    if not 2000 <= year <= 2100:
        raise LedgerError(_("Give a year between 2000 and 2100."))
    entry = credit(
        member.id,
        SourceKind.CORRECTION,
        None,
        amount,
        reason,
        "manual",
        year=year,
        created_by_id=corrected_by.id,
        reason=reason,
    )
    db.session.commit()
    return entry


# --- targets ---------------------------------------------------------------------------------------


def set_target(unit: OrgUnit, role: Role, year: int, hours, set_by: User | None) -> Target:
    """Set the annual target for a role in a unit and everything below it (unless overridden there)."""
    amount = _hours(hours, "0", "500")
    target = db.session.scalar(
        select(Target).where(Target.unit_id == unit.id, Target.role == role, Target.year == year)
    )
    if target is None:
        target = Target(unit_id=unit.id, role=role, year=year)
        db.session.add(target)
    target.hours = amount
    target.set_by_id = set_by.id if set_by else None
    target.set_at = utcnow()
    db.session.commit()
    return target


def unit_target(unit: OrgUnit, role: Role, year: int) -> tuple[Decimal | None, Target | None]:
    """The target a role has in a unit (its own or the nearest ancestor's), with the row setting it."""
    path = unit.path_ids if unit else []
    rows = {
        target.unit_id: target
        for target in db.session.scalars(
            select(Target).where(Target.unit_id.in_(path), Target.role == role, Target.year == year)
        )
    }
    for unit_id in reversed(path):
        if unit_id in rows:
            return rows[unit_id].hours, rows[unit_id]
    return (DEFAULT_TARGET if role is Role.MEMBER else None), None


def nearest_target(roles: set[Role], path: list[int], targets: dict[tuple[int, Role], Decimal]) -> Decimal:
    """The yearly target rule, in one place: for each of the member's roles (the members' role always
    among them) the target of the nearest unit on their ``path`` that sets one, and the highest of
    those; the members' default where no unit sets the members' target. ``targets`` maps (unit id,
    role) to hours for the units on the path."""
    values = []
    for role in set(roles) | {Role.MEMBER}:
        nearest = next(
            (targets[unit_id, role] for unit_id in reversed(path) if (unit_id, role) in targets), None
        )
        if nearest is not None:
            values.append(nearest)
        elif role is Role.MEMBER:
            values.append(DEFAULT_TARGET)
    return max(values)


def target_for(member: User, year: int) -> Decimal:
    """The member's yearly target (``nearest_target`` over the targets set on their path)."""
    path = member.unit.path_ids if member.unit else []
    rows = db.session.execute(
        select(Target.unit_id, Target.role, Target.hours).where(Target.unit_id.in_(path), Target.year == year)
    )
    return nearest_target(member.roles, path, {(unit_id, role): hours for unit_id, role, hours in rows})


# --- reading the ledger ----------------------------------------------------------------------------


def entries_of(member: User, year: int) -> list[HourEntry]:
    return list(
        db.session.scalars(
            select(HourEntry)
            .where(HourEntry.user_id == member.id, HourEntry.year == year)
            .order_by(HourEntry.created_at, HourEntry.id)
        )
    )


def total_for(member_id: int, year: int) -> Decimal:
    total = db.session.scalar(
        select(func.coalesce(func.sum(HourEntry.hours), 0)).where(
            HourEntry.user_id == member_id, HourEntry.year == year
        )
    )
    return Decimal(str(total))


def hours_by_source(member_id: int, year: int) -> dict[SourceKind, Decimal]:
    rows = db.session.execute(
        select(HourEntry.source_kind, func.sum(HourEntry.hours))
        .where(HourEntry.user_id == member_id, HourEntry.year == year)
        .group_by(HourEntry.source_kind)
    )
    return {kind: Decimal(str(hours)) for kind, hours in rows}


def ledger_report(member: User, year: int) -> dict:
    """The member's ledger for a year as plain data (the CLI's --json and the API print it)."""
    entries = entries_of(member, year)
    total = sum((entry.hours for entry in entries), Decimal("0"))
    target = target_for(member, year)
    return {
        "username": member.username,
        "name": member.display_name,
        "year": year,
        "entries": [
            {
                "id": entry.id,
                "date": local_time(entry.created_at).date().isoformat(),
                "source": entry.source_kind.value,
                "source_id": entry.source_id,
                "title": entry.title,
                "hours": format_hours(entry.hours),
                "rule_version": entry.rule_version,
                "evidence_ids": entry.evidence_ids,
                "created_by": entry.created_by.username if entry.created_by else None,
                "reason": entry.reason,
            }
            for entry in entries
        ],
        "total": format_hours(total),
        "target": format_hours(target),
        "met": total >= target,
    }


def format_hours(value) -> str:
    """Hours as the site writes them everywhere: no exponent, no trailing zeros (32, 1.5, 0.25)."""
    return format(Decimal(str(value or 0)).normalize(), "f")
