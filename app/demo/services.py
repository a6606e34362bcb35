"""Demo content for a fresh site: an organisation with one account per role."""

from dataclasses import dataclass

from sqlalchemy import func, select

from app.auth.models import Role, User
from app.extensions import db
from app.org.accounts import create_account
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
    DemoAccount("reviewer", "周审核", COMMITTEE, (Role.REVIEWER, Role.MEMBER)),
    DemoAccount("secretary", "王书记", f"{COMMITTEE}/机关党总支/第一党支部", (Role.SECRETARY, Role.MEMBER)),
    DemoAccount("member", "张党员", f"{COMMITTEE}/机关党总支/第一党支部", (Role.MEMBER,)),
    DemoAccount("member2", "刘党员", f"{COMMITTEE}/机关党总支/第二党支部", (Role.MEMBER,)),
    DemoAccount("member3", "陈党员", f"{COMMITTEE}/生产党总支/车间党支部", (Role.MEMBER,)),
    DemoAccount("member4", "赵党员", f"{COMMITTEE}/生产党总支/车间党支部", (Role.MEMBER,)),
]


def demo_loaded() -> bool:
    return bool(
        db.session.scalar(select(func.count(User.id)).where(User.username == DEMO_ACCOUNTS[0].username))
    )


def load_demo() -> bool:
    """Create the demo organisation and accounts once; return False when they already exist."""
    if demo_loaded():
        load_demo_course()  # idempotent: a site loaded before the course existed gets it now
        load_demo_library()  # idempotent too: re-importing the same notes changes nothing
        load_demo_practice()  # idempotent: made once
        load_demo_progress()  # idempotent: each step checks whether it was done
        load_demo_seed_systems()  # idempotent: each part checks whether it was done
        return False
    for path in DEMO_UNITS:
        ensure_unit_path(path)
    for account in DEMO_ACCOUNTS:
        unit, _created = ensure_unit_path(account.unit_path)
        create_account(account.username, account.name, unit, list(account.roles), password=DEMO_PASSWORD)
    load_demo_course()
    load_demo_library()
    load_demo_practice()
    load_demo_progress()
    load_demo_seed_systems()
    return True


def load_demo_seed_systems() -> None:
    """The library's demo picture and video with a self-study rule, and the assessment targets."""
    from app.assessment.demo import load_demo_assessment
    from app.selfstudy.demo import load_demo_resources

    load_demo_resources(COMMITTEE)
    load_demo_assessment(COMMITTEE, DEMO_UNITS[0])


def load_demo_progress() -> None:
    """A year of study on the demo course: progress, ledger entries, an in-person session, a correction."""
    from app.progress.demo import load_demo_progress as seed_progress

    seed_progress(COMMITTEE)


def load_demo_practice() -> None:
    """A published question bank of our own, so that 每日一练 has questions on the first run."""
    from app.quizzes.demo import load_demo_bank

    load_demo_bank(db.session.scalar(select(User).where(User.username == "trainer")))


def load_demo_library() -> None:
    """Import the library's demo study notes into the 学习资料 collection."""
    from app.library.demo import load_demo_library as import_demo_library

    import_demo_library()


def load_demo_course() -> None:
    """Import the demo course 党章学习入门 (owned by the demo trainer), required for the committee."""
    from app.courses.demo import assign_demo_course
    from app.courses.demo import load_demo_course as import_demo_course

    trainer = db.session.scalar(select(User).where(User.username == "trainer"))
    course = import_demo_course(trainer).course
    committee, _created = ensure_unit_path(COMMITTEE)
    assign_demo_course(course, committee, trainer)
