"""The demo committee's assessment targets for this year and the first branch's PDCA notes for this
quarter, loaded by `flask demo load` (once: nothing is added when the committee has targets)."""

from sqlalchemy import select

from app.assessment import services
from app.assessment.models import AssessmentTarget, Measure
from app.auth.models import Role, User
from app.extensions import db
from app.org.services import ensure_unit_path

# Per quarter: (required, stretch) levels of each measure, the year's figures growing to the end.
LEVELS = {
    Measure.AVERAGE_HOURS: [("8", "12"), ("16", "24"), ("24", "36"), ("32", "48")],
    Measure.REQUIRED_COMPLETION: [("25", "50"), ("50", "75"), ("75", "90"), ("100", "100")],
    Measure.SESSIONS_HELD: [("1", "3"), ("3", "6"), ("5", "9"), ("7", "12")],
}
NOTES = {
    "plan": "本季度组织党员完成《党章学习入门》，每月开展一次集中学习。",
    "do": "已开展三会一课一次，党员在线学习进度已通报。",
    "check": "部分党员学习进度落后于年度目标进度。",
    "act": "对进度落后的党员逐一提醒，下月增加一次集中收看。",
}


def load_demo_assessment(committee_path: str, branch_path: str) -> None:
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    secretary = db.session.scalar(select(User).where(User.username == "secretary"))
    if admin is None:
        return
    committee, _created = ensure_unit_path(committee_path)
    year, quarter = services.current_quarter()
    exists = db.session.scalar(
        select(AssessmentTarget.id).where(
            AssessmentTarget.unit_id == committee.id, AssessmentTarget.year == year
        )
    )
    if exists is not None:
        return
    for measure, levels in LEVELS.items():
        for number, (required, stretch) in enumerate(levels, start=1):
            services.set_target(
                committee, Role.MEMBER, year, [number], measure, None, required, stretch, admin
            )
    branch, _created = ensure_unit_path(branch_path)
    if secretary is not None:
        services.save_notes(branch, year, quarter, NOTES, secretary)
