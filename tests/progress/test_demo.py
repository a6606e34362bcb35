"""`flask demo load` seeds a year of study: progress, ledger entries, a session and a correction, once."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.progress import ledger
from app.progress.models import Certificate, HourEntry, SourceKind, StudySession
from tests.factories.auth import user_named


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(HourEntry.id))),
        db.session.scalar(select(func.count(StudySession.id))),
        db.session.scalar(select(func.count(Certificate.id))),
    )


@pytest.mark.slow
def test_demo_load_seeds_a_year_of_study_once(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        year = ledger.local_year()
        member, member2, member3 = user_named("member"), user_named("member2"), user_named("member3")
        by_source = ledger.hours_by_source(member.id, year)
        assert by_source == {SourceKind.COURSE: Decimal("2"), SourceKind.SESSION: Decimal("2")}
        assert ledger.hours_by_source(member2.id, year) == {SourceKind.CORRECTION: Decimal("1.5")}
        assert ledger.total_for(member3.id, year) == 2  # another branch, course finished
        assert ledger.target_for(user_named("secretary"), year) == 56
        assert ledger.target_for(member, year) == 32
        before = counts()
        assert before[1] == 1 and before[2] == 3  # member, member3 and the secretary finished
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        assert counts() == before


@pytest.mark.slow
def test_the_demo_member_sees_a_real_year_on_first_run(app, runner):
    from app.demo.services import DEMO_PASSWORD
    from app.progress.demo import SESSION_TOPIC
    from tests.web import AuthActions

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    client = app.test_client()
    AuthActions(client).login("member", DEMO_PASSWORD)
    page = client.get("/progress/").get_data(as_text=True)
    assert 'data-testid="hours-total">4<' in page and SESSION_TOPIC in page
    assert 'data-testid="course-dangzhang-rumen" data-state="done"' in page
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="hours-total">4<' in home
