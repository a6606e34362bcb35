"""The demo practice bank for 每日一练: questions written for this project, loaded by `flask demo load`."""

from pathlib import Path

from app.auth.models import User
from app.quizzes.services import banks

DEMO_BANK = "党章党规基础题库"
DEMO_GIFT = Path(__file__).resolve().parent / "demo_content" / "practice.gift"


def load_demo_bank(owner: User | None) -> bool:
    """Create and publish the practice bank once; return False when it exists already."""
    if banks.find_bank(DEMO_BANK) is not None:
        return False
    bank = banks.create_bank(DEMO_BANK, owner, description="每日一练演示题库")
    report = banks.import_gift(bank, DEMO_GIFT.read_text(encoding="utf-8"), strict=True)
    if not report.ok:
        raise RuntimeError(f"the demo practice bank does not import: {report.errors}")
    banks.set_bank_published(bank, True)
    return True
