"""In-person study: recorded by a secretary for their subtree, credited to those present, evidence checked."""

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.org.models import OrgUnit
from app.progress import sessions
from app.progress.models import Attendance, HourEntry, SessionKind, SourceKind, StudySession
from app.progress.sessions import Evidence, SessionError
from tests.factories.auth import user_named
from tests.factories.progress import PDF, PNG
from tests.web import csrf_token


def record(unit_id, recorded_by="sec_a", attendees=("member_a", "sec_a"), evidence=PNG, minutes=90, **extra):
    return sessions.record_session(
        db.session.get(OrgUnit, unit_id),
        extra.pop("kind", SessionKind.THREE_MEETINGS),
        extra.pop("held_on", date.today() - timedelta(days=1)),
        extra.pop("topic", "学习党的二十大报告"),
        minutes,
        [user_named(name).id for name in attendees],
        Evidence(evidence, "sign-in.png"),
        user_named(recorded_by),
        extra.pop("lesson_id", None),
    )


def test_a_session_credits_its_hours_to_everyone_present_and_no_one_else(app, world):
    with app.app_context():
        session = record(world.unit_a1)
        assert session.hours == Decimal("2")  # 90 minutes at 45 minutes a 学时
        entries = db.session.scalars(select(HourEntry)).all()
        assert sorted(e.user_id for e in entries) == sorted([world.member_a, world.sec_a])
        assert {(e.source_kind, e.source_id, e.hours, e.rule_version) for e in entries} == {
            (SourceKind.SESSION, session.id, Decimal("2"), "default/v1")
        }
        assert all(e.evidence_ids for e in entries)
        stored = Path(app.config["MEDIA_ROOT"]) / "evidence" / session.evidence_file
        assert stored.read_bytes() == PNG and session.evidence_type == "image/png"


def test_a_pdf_sign_in_sheet_is_accepted(app, world):
    with app.app_context():
        assert record(world.unit_a1, evidence=PDF).evidence_type == "application/pdf"


@pytest.mark.parametrize(
    "evidence",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        b"<html><script>alert(1)</script>",
        b"",
        b"MZ\x90\x00",
    ],
)
def test_evidence_that_is_not_an_image_or_pdf_is_refused_and_nothing_is_recorded(app, world, evidence):
    with app.app_context():
        with pytest.raises(SessionError):
            record(world.unit_a1, evidence=evidence)
        assert db.session.scalar(select(func.count(StudySession.id))) == 0
        assert db.session.scalar(select(func.count(HourEntry.id))) == 0


@pytest.fixture
def app_config() -> dict:
    return {"EVIDENCE_MAX_BYTES": 1024, "PROGRESS_TEXT_MIN_SHARE": 0.5}


def test_oversized_evidence_is_refused(app, world):
    with app.app_context(), pytest.raises(SessionError):
        record(world.unit_a1, evidence=PNG + b"\x00" * 2048)


def test_a_secretary_cannot_record_for_another_committee_or_tick_strangers(app, world):
    with app.app_context():
        with pytest.raises(SessionError):
            record(world.unit_a1, recorded_by="sec_b", attendees=("member_a",))
        with pytest.raises(SessionError):
            record(world.unit_a1, attendees=("member_a", "member_b"))  # member_b is in another committee
        with pytest.raises(SessionError):
            record(world.unit_a1, attendees=())
        with pytest.raises(SessionError):
            record(world.unit_a1, held_on=date.today() + timedelta(days=3))
        assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_a_secretary_records_a_session_through_the_page_and_the_member_sees_it(app, client, auth, world):
    auth.login("sec_a")
    assert client.get(f"/progress/sessions/new/{world.unit_b1}").status_code == 404
    path = f"/progress/sessions/new/{world.unit_a1}"
    page = client.get(path).get_data(as_text=True)
    assert "甲党员" in page and "乙党员" not in page
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "kind": "party_day",
            "held_on": (date.today() - timedelta(days=2)).isoformat(),
            "topic": "主题党日：重温入党誓词",
            "minutes": "45",
            "attendees": [str(world.member_a)],
            "evidence": (io.BytesIO(PNG), "photo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "重温入党誓词" in client.get("/progress/sessions/").get_data(as_text=True)
    auth.logout()
    auth.login("member_a")
    page = client.get("/progress/").get_data(as_text=True)
    assert "重温入党誓词" in page and 'data-testid="hours-total">1<' in page
    with app.app_context():
        session_id = db.session.scalar(select(StudySession.id))
    with client.get(f"/progress/sessions/{session_id}/evidence") as response:
        assert response.data == PNG  # attendees see the evidence
    auth.logout()
    auth.login("member_a2")
    assert client.get(f"/progress/sessions/{session_id}/evidence").status_code == 404
    assert client.get("/progress/sessions/").status_code == 403


def test_a_renamed_script_upload_shows_a_clear_message_and_records_nothing(app, client, auth, world):
    auth.login("sec_a")
    path = f"/progress/sessions/new/{world.unit_a1}"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "kind": "group_study",
            "held_on": date.today().isoformat(),
            "topic": "集中学习",
            "minutes": "60",
            "attendees": [str(world.member_a)],
            "evidence": (io.BytesIO(b"<script>alert(1)</script>"), "photo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and 'class="flash flash-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(StudySession.id))) == 0


def test_a_session_may_name_the_lesson_played_for_the_room(app, world):
    from app.courses.models import CompletionRule, LessonKind
    from tests.factories.courses import lesson_of, make_course

    with app.app_context():
        course = make_course(lessons=(("clip", LessonKind.VIDEO, 30, CompletionRule.WATCHED),))
        clip = lesson_of(course, "clip")
        session = sessions.record_session(
            db.session.get(OrgUnit, world.unit_a1),
            SessionKind.GROUP_VIEWING,
            date.today(),
            "集中收看专题片",
            60,
            [world.member_a],
            Evidence(PNG),
            user_named("sec_a"),
            clip.id,
        )
        assert session.lesson.title == clip.title
        with pytest.raises(SessionError):
            record(world.unit_a1, lesson_id=10_000)
