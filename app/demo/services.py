"""Demo content for a fresh site: an organisation with one account per role."""

from dataclasses import dataclass

from sqlalchemy import func, select

from app.auth.models import Role, User
from app.auth.services import create_account
from app.extensions import db
from app.org.services import ensure_unit_path

DEMO_PASSWORD = "party-school-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    unit_path: str
    roles: tuple[Role, ...]


COMMITTEE = "示范集团党委"
DEMO_UNITS = [
    f"{COMMITTEE}/机关党总支/第一党支部",
    f"{COMMITTEE}/机关党总支/第二党支部",
    f"{COMMITTEE}/生产党总支/车间党支部",
]
DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统管理员", COMMITTEE, (Role.ADMIN, Role.MEMBER)),
    DemoAccount("trainer", "李培训", COMMITTEE, (Role.TRAINER, Role.MEMBER)),
    DemoAccount("secretary", "王书记", f"{COMMITTEE}/机关党总支/第一党支部", (Role.SECRETARY, Role.MEMBER)),
    DemoAccount("member", "张党员", f"{COMMITTEE}/机关党总支/第一党支部", (Role.MEMBER,)),
    DemoAccount("member2", "刘党员", f"{COMMITTEE}/机关党总支/第二党支部", (Role.MEMBER,)),
]


def demo_loaded() -> bool:
    return bool(
        db.session.scalar(select(func.count(User.id)).where(User.username == DEMO_ACCOUNTS[0].username))
    )


def load_demo() -> bool:
    """Create the demo organisation and accounts once; return False when they already exist."""
    if demo_loaded():
        return False
    for path in DEMO_UNITS:
        ensure_unit_path(path)
    for account in DEMO_ACCOUNTS:
        unit, _created = ensure_unit_path(account.unit_path)
        create_account(account.username, account.name, unit, list(account.roles), password=DEMO_PASSWORD)
    return True
