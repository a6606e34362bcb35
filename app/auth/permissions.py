"""Identity and role checks used by route decorators in every domain.

The one route idiom (docs/architecture.md): a decorator on the route says who may use it
(``login_required``, ``roles_required``, ``permission_required``); the view then loads its object
with ``x_or_404(id)`` through the domain's scoped query, so an object out of the user's scope
answers 404 as if it did not exist (a loader named for an action, such as ``_editable_or_404``,
answers 403 for an object the user sees but may not change).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort, request
from flask_login import current_user, login_required

from app.auth.models import Role, User
from app.extensions import api_token, bearer_token

P = ParamSpec("P")
R = TypeVar("R")


def permission_required(allowed: Callable[[User], bool]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let the request through only for a signed-in user ``allowed(user)`` says yes to, else 403.

    ``allowed`` is a domain's permission predicate (``can_manage_org``, ``can_author``...): the rule
    stays in the domain's permissions module, the route shows which one applies.
    """

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let the request through only for a signed-in user holding one of ``roles``."""
    wanted = frozenset(roles)
    return permission_required(lambda user: bool(user.roles & wanted))


admin_required = roles_required(Role.ADMIN)


# An account holding only the auditor role reads everything and changes nothing but its own sign-in,
# password and language.
AUDITOR_MAY_CHANGE = frozenset(
    {
        "auth.login",
        "auth.logout",
        "auth.change_password",
        "auth.set_language",
        "auth.revoke_device",
        "auth_api.set_my_locale",
        "auth_api.issue_token",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_read_only(user: Any) -> bool:
    """Whether the account may only read: signed in with the auditor role and no other."""
    return bool(user.is_authenticated and user.roles == {Role.AUDITOR})


def refuse_read_only_changes() -> None:
    """Before every request: a state-changing request from a read-only account answers 403, whatever
    the route (one policy for the whole site, so a new route cannot forget it)."""
    changing = request.method not in SAFE_METHODS and request.endpoint not in AUDITOR_MAY_CHANGE
    # A bearer token other than an API client's is a lesson page's viewing token: the heartbeat
    # checks it itself, and read-only accounts are given none (they open no player).
    if changing and (bearer_token() is None or api_token() is not None) and is_read_only(current_user):
        abort(403)
