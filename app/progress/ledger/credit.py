"""Credits and corrections: ``credit`` is the one writer of hour entries.

Automatic credits are unique per (member, source kind, source id) in the database: two requests
completing the same course at the same moment both insert, one row is kept, so double credit is
impossible. Corrections are new signed entries with their reason; nothing is edited."""

from decimal import Decimal

from flask_babel import gettext as _

from app.auth.models import Role, User
from app.extensions import db, insert_unless_taken
from app.progress.ledger.figures import HoursInput, LedgerError, local_year, parse_hours
from app.progress.models import HourEntry, SourceKind
from app.progress.statements import add_statement


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


def add_correction(member: User, hours: HoursInput, reason: str, year: int, corrected_by: User) -> HourEntry:
    """Append a signed correction (positive or negative) with its reason; nothing is edited."""
    if not can_correct(corrected_by, member):
        raise LedgerError(_("Only an administrator or the member's trainer may correct study hours."))
    amount = parse_hours(hours, "-100", "100")
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
    assert entry is not None  # a correction is never zero and never unique
    db.session.commit()
    return entry
