"""The heartbeat endpoints' shared rate limit and URL converter (progress's and self-study's alike)."""

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter
from app.progress.watching import viewing

# Heartbeats check the id's range themselves and store a refusal for any id up to 64 bits.
ANY_ID = f"int(max={2**63 - 1})"


def member_key() -> str:
    """Heartbeats are limited per member, not per address (members behind one office NAT do not
    throttle each other): the viewing token's member, else the signed-in one (the limiter runs before
    the view); a request with neither is keyed by its address."""
    claim = viewing.request_claim()
    if claim is not None:
        return f"member:{claim.user_id}"
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"address:{get_remote_address()}"


# Video, reading and library-video heartbeats share one budget per member (docs/api.md).
heartbeat_limit = limiter.shared_limit(
    lambda: current_app.config["PROGRESS_HEARTBEAT_RATE_LIMIT"], scope="heartbeat", key_func=member_key
)
