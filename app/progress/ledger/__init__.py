"""The 学时台账: conversion rules per unit (versioned, inherited), credits, corrections and targets.

``credit`` is the one writer of hour entries. Automatic credits are unique per (member, source kind,
source id) in the database: two requests completing the same course at the same moment both insert,
one row is kept, so double credit is impossible. Corrections are new signed entries.

Modules: ``figures`` (parse and format hours, the display year), ``rules`` (conversion rules),
``credit`` (credits and corrections), ``targets`` (yearly targets), ``entries`` (reading the ledger).
Every public name is re-exported here: callers write ``from app.progress import ledger`` and
``ledger.credit(...)``, ``ledger.format_hours(...)``, ``ledger.nearest_target(...)``.
"""

from app.progress.ledger.credit import add_correction, can_correct, credit
from app.progress.ledger.entries import (
    LedgerLine,
    LedgerReport,
    entries_of,
    hours_by_source,
    ledger_report,
    total_for,
)
from app.progress.ledger.figures import (
    HoursInput,
    LedgerError,
    format_hours,
    local_time,
    local_year,
    parse_hours,
)
from app.progress.ledger.rules import (
    DEFAULT_BANDS,
    DEFAULT_RULE,
    MAX_BAND_HOURS,
    MAX_BAND_MINUTES,
    Band,
    EffectiveRule,
    bands_text,
    effective_rule,
    nearest_rule,
    parse_bands,
    rule_for,
    rule_for_unit,
    set_rule,
)
from app.progress.ledger.targets import DEFAULT_TARGET, nearest_target, set_target, target_for, unit_target

__all__ = [
    "DEFAULT_BANDS",
    "DEFAULT_RULE",
    "DEFAULT_TARGET",
    "MAX_BAND_HOURS",
    "MAX_BAND_MINUTES",
    "Band",
    "EffectiveRule",
    "HoursInput",
    "LedgerError",
    "LedgerLine",
    "LedgerReport",
    "add_correction",
    "bands_text",
    "can_correct",
    "credit",
    "effective_rule",
    "entries_of",
    "format_hours",
    "hours_by_source",
    "ledger_report",
    "local_time",
    "local_year",
    "nearest_rule",
    "nearest_target",
    "parse_bands",
    "parse_hours",
    "rule_for",
    "rule_for_unit",
    "set_rule",
    "set_target",
    "target_for",
    "total_for",
    "unit_target",
]
