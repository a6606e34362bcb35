"""A hand-computed organisation year: the figures every report test checks against.

甲党委 (committee_a)
  trainer          0 h, target 32; c-party required, not completed (overdue on 1 July)
  机关党总支 (unit_a)
    第一党支部 (unit_a1): secretaries' target 56
      sec_a        5 h (March), target 56; c-party + c-branch, none completed
      member_a     10 h (March) + 2 h (May) − 1 h correction (May) = 11 h; both completed
    第二党支部 (unit_a2)
      member_a2    40 h (June); c-party completed
乙党委: sec_b, member_b 7 h; c-other assigned there (never part of 甲党委's figures)

c-party: required for 甲党委, due 2026-06-30; c-branch: required for unit_a1, due 2026-12-31;
c-elective: elective for 甲党委 (not counted). Judged on 2026-07-01 (day 182 of 365).
"""

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.auth.models import Role
from app.courses.models import Assignment
from app.extensions import db
from app.progress.models import LessonProgress, SourceKind, Target
from tests.factories.courses import make_course, text_lessons
from tests.factories.reports import YEAR, dated_certificate, dated_hours


@pytest.fixture
def year_of_study(app, world) -> SimpleNamespace:
    with app.app_context():
        party = make_course("c-party", "党章学习", lessons=text_lessons(2))
        branch = make_course("c-branch", "支部专题", lessons=text_lessons(2))
        elective = make_course("c-elective", "选修课程", lessons=text_lessons(2))
        other = make_course("c-other", "乙党委课程", lessons=text_lessons(2))
        db.session.flush()
        db.session.add_all(
            [
                Assignment(
                    course_id=party.id, unit_id=world.committee_a, year=YEAR, due_date=date(2026, 6, 30)
                ),
                Assignment(
                    course_id=branch.id, unit_id=world.unit_a1, year=YEAR, due_date=date(2026, 12, 31)
                ),
                Assignment(course_id=elective.id, unit_id=world.committee_a, year=YEAR, required=False),
                Assignment(
                    course_id=other.id, unit_id=world.committee_b, year=YEAR, due_date=date(2026, 3, 1)
                ),
                Assignment(course_id=branch.id, unit_id=world.committee_a, year=YEAR - 1),  # last year's
                Target(unit_id=world.unit_a1, role=Role.SECRETARY, year=YEAR, hours=Decimal("56")),
            ]
        )
        dated_hours(world.sec_a, "5", 3, SourceKind.COURSE, 901)
        dated_hours(world.member_a, "10", 3, SourceKind.COURSE, party.id)
        dated_hours(world.member_a, "2", 5, SourceKind.SESSION, 77)
        dated_hours(world.member_a, "-1", 5, SourceKind.CORRECTION, None)
        dated_hours(world.member_a2, "40", 6, SourceKind.COURSE, party.id)
        dated_hours(world.member_b, "7", 4, SourceKind.COURSE, other.id)
        dated_certificate(world.member_a, party, 3)
        dated_certificate(world.member_a, branch, 5)
        dated_certificate(world.member_a2, party, 6)
        first_lesson = party.modules[0].lessons[0]
        db.session.flush()
        db.session.add(
            LessonProgress(
                user_id=world.sec_a, lesson_id=first_lesson.id, first_opened_at=datetime(YEAR, 6, 1, 4)
            )
        )
        db.session.commit()
        return SimpleNamespace(
            party=party.id, branch=branch.id, elective=elective.id, other=other.id, lesson=first_lesson.id
        )
