"""Builders for accounts, each committing through the real services."""

from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.org.accounts import create_account
from tests.factories.org import make_unit

PASSWORD = "correct-horse-battery"


def make_user(
    username: str = "member",
    roles: tuple[Role, ...] = (Role.MEMBER,),
    unit_path: str | None = "测试党委/第一党支部",
    name: str | None = None,
    password: str | None = PASSWORD,
) -> User:
    unit = make_unit(unit_path) if unit_path else None
    return create_account(username, name or f"{username}姓名", unit, list(roles), password=password)


def user_named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))
