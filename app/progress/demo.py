"""A realistic year of study on top of the demo course, loaded by `flask demo load` (idempotent).

Members in three branches at different stages of the demo course, the hours their completions
credited, a secretaries' target of 56, one in-person 三会一课 with its sign-in sheet, and a correction.
Every figure goes through the same services as the site, so the ledger is real ledger data.
"""

import io
from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import Role, User
from app.courses import services as courses
from app.courses.models import Course, LessonKind
from app.extensions import db
from app.org.services import ensure_unit_path
from app.progress import ledger, services, sessions
from app.progress.completion import certificates
from app.progress.models import HourEntry, SessionKind, SourceKind, StudySession
from app.timeutil import utcnow

DEMO_COURSE_SLUG = "dangzhang-rumen"
SESSION_TOPIC = "三会一课：支部党员大会——学习党章总纲"
CORRECTION_REASON = "补录：参加机关党委集中学习（纸质签到表已核对）"
# How many of the demo course's lessons each demo account has finished (app/demo creates them).
LESSONS_DONE = {"member": 4, "member2": 3, "member3": 4, "member4": 1, "secretary": 4}


def load_demo_progress(committee_path: str) -> None:
    """Seed the year's progress once: every step checks whether it was already done."""
    course = db.session.scalar(select(Course).where(Course.slug == DEMO_COURSE_SLUG))
    if course is None:
        return
    committee, _created = ensure_unit_path(committee_path)
    year = ledger.local_year()
    if ledger.target_for(_user("secretary"), year) != 56:
        ledger.set_target(committee, Role.SECRETARY, year, "56", _user("admin"))
    members = {
        member.username: member
        for member in db.session.scalars(select(User).where(User.username.in_(LESSONS_DONE)))
    }
    for username, done in LESSONS_DONE.items():
        if username in members:  # an account removed since is skipped
            _study(members[username], course, done)
    _record_session(committee_path)
    _add_correction()


def _user(username: str) -> User:
    """A demo account (app/demo creates them before it seeds their progress)."""
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _study(member: User, course: Course, lessons_done: int) -> None:
    """Finish the first ``lessons_done`` lessons, spread over the past weeks, with their evidence."""
    courses.enrol(member, course)
    start = utcnow() - timedelta(days=40)
    for index, lesson in enumerate(courses.current_lessons(course)[:lessons_done]):
        progress = services.progress_of(member, lesson)
        if progress is not None and progress.completed_at is not None:
            continue
        at = start + timedelta(days=7 * index, hours=member.id % 5)
        if lesson.kind is LessonKind.TEXT:
            services.open_lesson(member, lesson, at)
            services.confirm_reading(member, lesson, at + timedelta(minutes=lesson.estimated_minutes))
        elif lesson.kind in (LessonKind.VIDEO, LessonKind.READING):
            evidence = {"verified_seconds": lesson.estimated_minutes * 60, "source": "demo"}
            services.record_lesson_completed(member, lesson, evidence, at)
        else:
            # The demo's quiz attempts are not simulated: its lesson is completed as a passed quiz.
            services.complete_lesson(member, lesson, {"passed": True, "source": "demo"}, at)
            db.session.commit()


def _record_session(committee_path: str) -> None:
    if db.session.scalar(select(StudySession.id).where(StudySession.topic == SESSION_TOPIC)):
        return
    unit, _created = ensure_unit_path(f"{committee_path}/机关党总支/第一党支部")
    held_on = max(date(date.today().year, 1, 2), date.today() - timedelta(days=21))
    present = [_user(name) for name in ("secretary", "member")]
    sessions.record_session(
        unit,
        SessionKind.THREE_MEETINGS,
        held_on,
        SESSION_TOPIC,
        90,
        [member.id for member in present],
        sessions.Evidence(_sign_in_sheet([member.display_name for member in present], held_on), "签到表.pdf"),
        _user("secretary"),
    )


def _sign_in_sheet(names: list[str], held_on: date) -> bytes:
    """A one-page PDF sign-in sheet (with the certificate font when installed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    try:
        font = certificates.register_font()
    except certificates.CertificateError:
        font, names = "Helvetica", [f"member {i + 1}" for i in range(len(names))]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont(font, 16)
    pdf.drawString(72, 770, f"{SESSION_TOPIC}  {held_on.isoformat()}")
    for row, name in enumerate(names):
        pdf.drawString(90, 720 - 28 * row, f"{row + 1}. {name}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _add_correction() -> None:
    member = _user("member2")
    exists = db.session.scalar(
        select(HourEntry.id).where(
            HourEntry.user_id == member.id,
            HourEntry.source_kind == SourceKind.CORRECTION,
            HourEntry.reason == CORRECTION_REASON,
        )
    )
    if exists is None:
        ledger.add_correction(member, "1.5", CORRECTION_REASON, ledger.local_year(), _user("admin"))
