"""Who may set a unit's self-study rule, and who may watch a resource for credit: the one place.

A unit's self-study rule is set by those who manage the unit (its secretaries and those above, admins),
like its conversion rules; every signed-in member may watch a published video resource for credit.
"""

from sqlalchemy import ColumnElement, Select, and_

from app.auth.models import User
from app.library.models import Resource, ResourceKind
from app.org.models import OrgUnit
from app.org.permissions import scoped_units


def rule_units(user: User) -> Select[OrgUnit]:
    """The units whose self-study rule the user may see and set."""
    return scoped_units(user)


def watchable_for_credit() -> ColumnElement[bool]:
    """Where resource heartbeats may count: a published video resource."""
    return and_(Resource.published.is_(True), Resource.kind == ResourceKind.VIDEO)
