"""Reading the ledger: a member's entries, totals and the yearly report."""

from decimal import Decimal
from typing import TypedDict

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.progress.ledger.figures import format_hours, local_time
from app.progress.ledger.targets import target_for
from app.progress.models import HourEntry, SourceKind
from app.progress.statements import offline_evidence


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


class LedgerLine(TypedDict):
    """One entry of the ledger report."""

    id: int
    date: str  # ISO, in the display time zone
    source: str  # a SourceKind's value
    source_id: int | None
    title: str
    hours: str  # format_hours
    rule_version: str
    evidence_ids: list[int]
    offline_evidence: bool  # some of its evidence was played offline
    created_by: str | None  # the username of whoever added it by hand
    reason: str


class LedgerReport(TypedDict):
    """A member's ledger for a year, as the CLI's --json and the API print it."""

    username: str
    name: str
    year: int
    entries: list[LedgerLine]
    total: str
    target: str
    met: bool


def ledger_report(member: User, year: int) -> LedgerReport:
    """The member's ledger for a year as plain data (the CLI's --json and the API print it)."""
    entries = entries_of(member, year)
    total = sum((entry.hours for entry in entries), Decimal("0"))
    target = target_for(member, year)
    offline = offline_evidence(statement_id for entry in entries for statement_id in entry.evidence_ids)
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
                "offline_evidence": not offline.isdisjoint(entry.evidence_ids),
                "created_by": entry.created_by.username if entry.created_by else None,
                "reason": entry.reason,
            }
            for entry in entries
        ],
        "total": format_hours(total),
        "target": format_hours(target),
        "met": total >= target,
    }
