"""The posting budget every discussion shares: lesson discussions and the units' boards."""

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter


def _post_rate_limit() -> str:
    limit: str = current_app.config["DISCUSSION_POST_RATE_LIMIT"]
    return limit


def _poster_key() -> str:
    # Per member, not per address: members behind one office NAT do not throttle each other.
    # The limiter runs before the sign-in check, so a signed-out request is keyed by its address.
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"address:{get_remote_address()}"


# Posts and replies share one budget per member.
posting_limit = limiter.shared_limit(
    _post_rate_limit, scope="discussion-post", key_func=_poster_key, methods=["POST"]
)
