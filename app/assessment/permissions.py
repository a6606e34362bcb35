"""Who may see and change a unit's assessment: the one place for the rule.

A unit's board is for whoever may see the unit's report (its secretaries and those above, admins,
auditors); targets, recorded values and PDCA notes are set by those who manage the unit (its
secretaries and those above, admins). Units out of scope answer 404.
"""

from app.auth.models import User
from app.org import permissions as org
from app.org.models import OrgUnit
from app.reports import permissions as reports


def can_view_board(user: User, unit: OrgUnit) -> bool:
    return reports.can_view_unit_report(user, unit)


def can_change_assessment(user: User, unit: OrgUnit) -> bool:
    return org.can_manage_unit(user, unit)


def board_units(user: User) -> list[OrgUnit]:
    """The top units of the user's scope, where their boards start."""
    return reports.reportable_units(user)


def can_see_boards(user: User) -> bool:
    """Whether the user has any unit whose board they may see (the boards' index route rule)."""
    return bool(board_units(user))
