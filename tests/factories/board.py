"""Builders for board tests: topics and replies written through the services by ``world`` users."""

from app.board import services
from app.discussions import services as discussions
from app.discussions.models import Post
from app.extensions import db
from app.org.models import OrgUnit
from tests.factories.auth import user_named


def make_topic(
    author: str = "member_a", unit_id: int | None = None, title: str = "学习心得交流", body: str = "大家好"
) -> Post:
    user = user_named(author)
    unit = db.session.get(OrgUnit, unit_id) if unit_id else user.unit
    return services.create_topic(user, unit, title, body)


def make_board_reply(author: str, post_id: int, body: str = "同意") -> Post:
    return discussions.reply_to(user_named(author), db.session.get(Post, post_id), body)
