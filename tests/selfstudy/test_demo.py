"""`flask demo load` shows the seed systems on a fresh site: a picture and a video in the library, a
self-study rule on the committee, this year's assessment targets and a branch's PDCA notes; once."""

import pytest
from sqlalchemy import func, select

from app.assessment.models import AssessmentTarget, PdcaNote
from app.extensions import db
from app.library.models import Resource
from app.selfstudy.models import SelfStudyRule


def counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Resource, SelfStudyRule, AssessmentTarget, PdcaNote)
    )


@pytest.mark.slow
def test_demo_load_adds_resources_a_self_study_rule_and_assessment_targets_once(app, runner, client, auth):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        first = counts()
        assert first == (2, 1, 12, 1)  # a picture and the course's clip; 3 measures × 4 quarters
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        assert counts() == first
    auth.login("secretary", "party-school-demo")
    board = client.get("/assessment/", follow_redirects=True).get_data(as_text=True)  # their branch
    assert "人均学时" in board and "每月开展一次集中学习" in board  # targets inherited, PDCA notes
    assert "支部园地宣传栏" in client.get("/library/resources/").get_data(as_text=True)
