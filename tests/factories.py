"""Builders for test data: ``make_x(**overrides)``, each committing through the real services."""

from app.auth.models import Role, User
from app.auth.services import create_account
from app.org.models import OrgUnit
from app.org.services import ensure_unit_path

PASSWORD = "correct-horse-battery"


def make_unit(path: str = "测试党委/第一党支部") -> OrgUnit:
    unit, _created = ensure_unit_path(path)
    return unit


def make_user(
    username: str = "member",
    roles: tuple[Role, ...] = (Role.MEMBER,),
    unit_path: str | None = "测试党委/第一党支部",
    name: str | None = None,
    password: str | None = PASSWORD,
) -> User:
    unit = make_unit(unit_path) if unit_path else None
    return create_account(username, name or f"{username}姓名", unit, list(roles), password=password)
