"""Check the learning record's invariants, and make right what can be made right.

``verify`` lists every violation: a completed lesson without its completion statement; a completion
under a time-band rule without its ledger entry; a course whose current lessons are all completed
without its course credit (course-hours rule) or its certificate; a ledger entry naming no rule
version that exists, or evidence that does not exist; a quiz lesson whose rule a finished attempt
meets but which is not completed. Domains that read the record add their own checks to
``extra_checks`` (the reports domain: its totals equal the ledger's), wired by their ``init_app``.

``repair`` fixes each violation it can through the same services that record learning, one
transaction per violation, each recorded in the audit log as ``progress.repair``; a ledger entry it
adds says so in its reason. Running it twice changes nothing the second time.

The checks are in ``checks.py``, the repairs in ``repairs.py``, a violation and its printed forms in
``report.py``; other domains import them from here.
"""

from app.progress.verify.checks import (
    Check,
    add_check,
    add_rule_labels,
    extra_checks,
    extra_rule_labels,
    verify,
)
from app.progress.verify.repairs import repair
from app.progress.verify.report import Violation

__all__ = [
    "Check",
    "Violation",
    "add_check",
    "add_rule_labels",
    "extra_checks",
    "extra_rule_labels",
    "repair",
    "verify",
]
