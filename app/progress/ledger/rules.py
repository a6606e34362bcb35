"""Conversion rules per unit: versioned, inherited (the nearest unit's latest version applies; the
versions themselves: app/org/unit_rules.py)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from flask_babel import gettext as _

from app.auth.models import User
from app.org import unit_rules
from app.org.models import OrgUnit
from app.progress.ledger.figures import HoursInput, LedgerError, format_hours, parse_hours
from app.progress.models import Band, HourRule, RuleKind

# The band with the largest minimum not above a length applies.
DEFAULT_BANDS: list[Band] = [[0, "0.25"], [15, "0.5"], [30, "1"]]  # under 15 min, 15–30 min, 30 min or more


@dataclass(frozen=True)
class EffectiveRule:
    """The rule that applies to a member: their nearest unit's latest version, else the default."""

    kind: RuleKind
    bands: list[Band] = field(default_factory=lambda: DEFAULT_BANDS)
    exam_hours: Decimal = Decimal("0.5")
    session_minutes_per_hour: int = 45
    label: str = "default/v1"

    def lesson_hours(self, minutes: int) -> Decimal:
        """Hours for a lesson of ``minutes`` by the bands (the largest minimum not above it)."""
        hours = Decimal("0")
        for minimum, band_hours in sorted(self.bands, key=lambda band: int(band[0])):
            if minutes >= int(minimum):
                hours = Decimal(str(band_hours))
        return hours

    def session_hours(self, minutes: int) -> Decimal:
        """Hours for an in-person session: one per ``session_minutes_per_hour``, in half hours."""
        halves = (Decimal(minutes) * 2 / self.session_minutes_per_hour).quantize(Decimal("1"), ROUND_DOWN)
        return halves / 2


DEFAULT_RULE = EffectiveRule(kind=RuleKind.COURSE_HOURS)


# --- conversion rules ------------------------------------------------------------------------------


def nearest_rule(unit: OrgUnit | None, at: datetime | None = None) -> HourRule | None:
    """The latest version (in force at ``at``, else now) of the unit's own rule, else of the nearest
    ancestor's; None without one."""
    return unit_rules.nearest_version(HourRule, unit, at)


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


MAX_BAND_MINUTES = 1440
MAX_BAND_HOURS = Decimal("10")


def parse_bands(text: str) -> list[Band]:
    """Bands from lines of MINUTES=HOURS ("30=1": 30 minutes or more credit 1 hour), lowest first.

    Blank lines are skipped; the first bad line raises LedgerError naming its number and text.
    """
    bands: list[Band] = []
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


def bands_text(bands: list[Band]) -> str:
    """Bands as the lines parse_bands reads, highest minimum first (as the form shows them)."""
    return "\n".join(f"{minimum}={hours}" for minimum, hours in sorted(bands, reverse=True))


def set_rule(
    unit: OrgUnit,
    kind: RuleKind,
    created_by: User | None,
    bands: Sequence[Sequence[HoursInput]] | None = None,
    exam_hours: HoursInput = "0.5",
    session_minutes_per_hour: int = 45,
) -> HourRule:
    """Add a new version of the unit's rule; entries already credited keep the version they used."""
    given = sorted((int(minimum), str(parse_hours(hours))) for minimum, hours in (bands or DEFAULT_BANDS))
    if any(minimum < 0 for minimum, _hours in given) or len({minimum for minimum, _hours in given}) != len(
        given
    ):
        raise LedgerError(_("Each band needs its own minimum number of minutes, zero or more."))
    if not 1 <= session_minutes_per_hour <= 240:
        raise LedgerError(_("An hour of in-person study lasts between 1 and 240 minutes."))
    rule = HourRule(
        kind=kind,
        bands=[[minimum, hours] for minimum, hours in given],
        exam_hours=parse_hours(exam_hours),
        session_minutes_per_hour=session_minutes_per_hour,
    )
    detail = {
        "kind": kind.value,
        "bands": rule.bands,
        "exam_hours": format_hours(rule.exam_hours),
        "session_minutes_per_hour": session_minutes_per_hour,
    }
    return unit_rules.add_version(rule, unit, created_by, "hour_rule", detail, LedgerError)
