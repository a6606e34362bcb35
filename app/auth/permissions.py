"""Identity and role checks used by route decorators in every domain."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.auth.models import Role


def roles_required(*roles: Role) -> Callable:
    """Let the request through only for a signed-in user holding one of ``roles``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.roles.intersection(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = roles_required(Role.ADMIN)
