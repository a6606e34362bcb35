"""What the org domain tells other domains, as explicit lists of listeners.

The org domain does not import the domains that act on membership (courses enrols a member placed
in a unit in the courses assigned to it). Their ``init_app`` subscribes them here, so a reader sees
who listens. A listener runs in the caller's transaction and only flushes: the caller commits once.
"""

from collections.abc import Callable

from app.auth.models import User

MemberListener = Callable[[User], object]

# Called whenever a member is placed in a unit: a new account, a transfer, a roster import.
member_placed: list[MemberListener] = []


def listen_member_placed(listener: MemberListener) -> None:
    """Subscribe ``listener`` once (building several apps in one process subscribes it again)."""
    if listener not in member_placed:
        member_placed.append(listener)


def announce_member_placed(member: User) -> None:
    for listener in member_placed:
        listener(member)
