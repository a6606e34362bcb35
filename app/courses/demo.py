"""The demo course shipped in courses/: imported (its clip generated first) and assigned for `make run`."""

import shutil
from datetime import date

from sqlalchemy import select

from app.auth.models import User
from app.courses import importer, services
from app.courses.demo_clip import DEMO_COURSE_FOLDER, SHIPPED_DEMO_COURSE, ensure_demo_videos
from app.courses.models import Assignment, Course
from app.extensions import db
from app.org.models import OrgUnit


def load_demo_course(owner: User | None) -> importer.ImportResult:
    """Import the demo course from COURSES_DIR (generating its clip first); idempotent."""
    folder = importer.courses_dir() / DEMO_COURSE_FOLDER
    if not folder.exists():
        ensure_demo_videos(SHIPPED_DEMO_COURSE)  # generated once next to the shipped copy (git-ignored)
        shutil.copytree(SHIPPED_DEMO_COURSE, folder)
    ensure_demo_videos(folder)
    return importer.import_course(folder, owner)


def assign_demo_course(course: Course, unit: OrgUnit, assigned_by: User | None) -> None:
    """Assign the demo course as required to ``unit`` for this year, once (later runs change nothing)."""
    year = services.current_year()
    exists = db.session.scalar(
        select(Assignment.id).where(
            Assignment.course_id == course.id, Assignment.unit_id == unit.id, Assignment.year == year
        )
    )
    if not exists:
        services.assign_course(course, unit, year, True, date(year, 12, 31), assigned_by)
