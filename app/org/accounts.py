"""New accounts: every member is created placed in a unit (admins and auditors may belong to none).

The auth domain checks the name, the password and the roles; this places the member in the tree
(a membership change of source ``created``), which is the org domain's: auth does not import org.
"""

from typing import Any

from flask_babel import gettext as _

from app.auth import services as accounts
from app.auth.models import Role, User
from app.auth.passwords import check_password_policy, hash_password
from app.extensions import db
from app.org.models import ChangeSource, OrgUnit
from app.org.services import place_member
from app.timeutil import utcnow


def add_account(
    username: str,
    display_name: str,
    unit: OrgUnit | None,
    roles: list[Role],
    password: str | None = None,
    created_by: User | None = None,
    phone: str | None = None,
) -> User:
    """Add an account placed in ``unit`` with ``roles`` (a secretary's scope is that unit); no commit."""
    username = accounts.validate_username(username)
    display_name = display_name.strip()
    if not display_name or len(display_name) > 100:
        raise accounts.AccountError(_("The name must be 1 to 100 characters."))
    if accounts.get_user_by_username(username):
        raise accounts.AccountError(_('The username "%(username)s" is already taken.', username=username))
    if not roles:
        raise accounts.AccountError(_("Give the account at least one role."))
    if unit is None and not set(roles) <= {Role.ADMIN, Role.AUDITOR}:  # they belong to no branch
        raise accounts.AccountError(_("Every member must belong to an organisation unit."))
    user = User(username=username, display_name=display_name, phone=phone or None)
    if password is not None:
        check_password_policy(password, username)
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    db.session.add(user)
    for role in roles:
        accounts.grant_role(user, role, unit.id if unit else None)
    if unit is not None:
        place_member(user, unit, created_by, ChangeSource.CREATED)
    return user


def create_account(
    username: str, display_name: str, unit: OrgUnit | None, roles: list[Role], **options: Any
) -> User:
    """Create and commit an account; ``options`` are those of ``add_account``."""
    user = add_account(username, display_name, unit, roles, **options)
    db.session.commit()
    return user
