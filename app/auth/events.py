"""What the auth domain tells other domains, as explicit lists of listeners.

Every domain records its actions in the audit log, but the audit domain itself stands on accounts
and roles: so auth, the lowest domain, announces its security events (a refused sign-in, a lockout,
an API token issued or revoked) and the audit domain's ``init_app`` subscribes its recorder here.
A listener runs in the caller's transaction and only adds rows: the caller commits once.
"""

from collections.abc import Callable, Mapping
from typing import Any

from app.auth.models import User

# (actor, action, object type, object id, detail), the arguments of app.audit.services.record_audit
AccountEventListener = Callable[[User | None, str, str, int | str, dict[str, Any] | None], object]

account_event: list[AccountEventListener] = []


def listen_account_event(listener: AccountEventListener) -> None:
    """Subscribe ``listener`` once (building several apps in one process subscribes it again)."""
    if listener not in account_event:
        account_event.append(listener)


def announce_account_event(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | str,
    detail: Mapping[str, object] | None = None,
) -> None:
    for listener in account_event:
        listener(actor, action, object_type, object_id, dict(detail) if detail is not None else None)
