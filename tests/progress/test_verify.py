"""`flask progress verify` names every break in the learning record; `flask progress repair` mends it."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.progress import ledger
from app.progress.models import Certificate, HourEntry, RuleKind, SourceKind, Statement
from app.timeutil import utcnow
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of, make_course
from tests.factories.progress import complete_everything
from tests.factories.quizzes import make_attempt


def verify(runner, *args: str) -> tuple[int, list[dict]]:
    result = runner.invoke(args=["progress", "verify", "--json", *args])
    return result.exit_code, json.loads(result.output)


def kinds(found: list[dict]) -> set[tuple[str, str, str]]:
    return {(violation["kind"], violation["member"], violation["object"]) for violation in found}


@pytest.fixture
def finished_course(app, world):
    """member_a completed every lesson of a course (course-hours rule), member_a2 half of another
    course's lessons under the time-band rule (in force since yesterday)."""
    with app.app_context():
        course = make_course(credit_hours="2")
        complete_everything(user_named("member_a"), course)
        rule = ledger.set_rule(user_named("member_a2").unit, RuleKind.TIME_BANDS, None)
        rule.created_at = utcnow() - timedelta(days=1)
        db.session.commit()
        banded = make_course("banded")
        complete_everything(user_named("member_a2"), banded)
        return course.id, banded.id


def test_a_clean_record_verifies_with_exit_0(app, runner, finished_course):
    code, found = verify(runner)
    assert (code, found) == (0, [])
    plain = runner.invoke(args=["progress", "verify"])
    assert plain.exit_code == 0 and plain.stdout == ""


def test_deleted_entry_certificate_and_statement_are_named_then_repaired_once(app, runner, finished_course):
    course_id, _banded_id = finished_course
    with app.app_context():  # behind the site's back, by SQL
        member, other = user_named("member_a"), user_named("member_a2")
        db.session.execute(
            delete(HourEntry).where(
                HourEntry.user_id == member.id, HourEntry.source_kind == SourceKind.COURSE
            )
        )
        db.session.execute(delete(Certificate).where(Certificate.user_id == member.id))
        banded_quiz = db.session.scalar(
            select(HourEntry.source_id).where(HourEntry.source_kind == SourceKind.EXAM)
        )
        db.session.execute(
            delete(Statement).where(
                Statement.user_id == other.id,
                Statement.verb == "completed",
                Statement.object_type == "lesson",
                Statement.object_id == banded_quiz,
            )
        )
        db.session.commit()
        member_name, other_name = member.username, other.username

    code, found = verify(runner)
    assert code == 1
    assert kinds(found) >= {
        ("course_without_credit", member_name, f"course:{course_id}"),
        ("course_without_certificate", member_name, f"course:{course_id}"),
        ("completion_without_statement", other_name, f"lesson:{banded_quiz}"),
    }
    assert all(set(violation) == {"kind", "member", "object", "detail"} for violation in found)

    dry = runner.invoke(args=["progress", "repair", "--dry-run"])
    assert dry.exit_code == 0 and "would repair" in dry.output
    assert verify(runner)[0] == 1  # a dry run changes nothing

    repaired = runner.invoke(args=["progress", "repair"])
    assert repaired.exit_code == 0 and f"{len(found)} repaired" in repaired.output
    assert verify(runner) == (0, [])
    with app.app_context():
        entry = db.session.scalar(
            select(HourEntry).where(
                HourEntry.user_id == user_named(member_name).id, HourEntry.source_kind == SourceKind.COURSE
            )
        )
        assert entry.hours == 2 and entry.reason.startswith("progress repair")
        assert (
            db.session.scalar(select(func.count(Certificate.id)).where(Certificate.user_id == entry.user_id))
            == 1
        )
        audited = db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "progress.repair")
        )
        assert audited == len(found)
        before = (
            db.session.scalar(select(func.count(HourEntry.id))),
            db.session.scalar(select(func.count(Statement.id))),
        )

    again = runner.invoke(args=["progress", "repair"])
    assert again.exit_code == 0 and "0 repaired" in again.output
    with app.app_context():
        after = (
            db.session.scalar(select(func.count(HourEntry.id))),
            db.session.scalar(select(func.count(Statement.id))),
        )
        assert after == before


def test_a_missing_lesson_credit_dangling_evidence_and_an_uncompleted_quiz_lesson(
    app, runner, finished_course
):
    with app.app_context():
        other = user_named("member_a2")
        entry = db.session.scalar(
            select(HourEntry).where(HourEntry.user_id == other.id, HourEntry.source_kind == SourceKind.LESSON)
        )
        lesson_id = entry.source_id
        db.session.execute(delete(HourEntry).where(HourEntry.id == entry.id))
        exam = db.session.scalar(
            select(HourEntry).where(HourEntry.user_id == other.id, HourEntry.source_kind == SourceKind.EXAM)
        )
        exam_id = exam.id
        db.session.execute(delete(Statement).where(Statement.id.in_(exam.evidence_ids)))
        db.session.commit()
    code, found = verify(runner, "--unit", "甲党委")
    assert code == 1
    assert {
        ("completion_without_credit", "member_a2", f"lesson:{lesson_id}"),
        ("entry_without_evidence", "member_a2", f"entry:{exam_id}"),
    } <= kinds(found)
    assert runner.invoke(args=["progress", "repair", "--unit", "甲党委"]).exit_code == 0
    assert verify(runner) == (0, [])


def test_quiz_not_completed_is_found_and_completed(app, runner, world):
    with app.app_context():
        course = make_course("quizzy")
        quiz_lesson = lesson_of(course, "quiz")
        quiz = make_attempt(
            user_named("member_b"), passed=True
        )  # a finished attempt that reached no progress
        quiz_lesson.quiz_id = quiz.id
        db.session.commit()
        lesson_id = quiz_lesson.id
    code, found = verify(runner, "--unit", "乙党委")
    assert code == 1 and kinds(found) == {("quiz_not_completed", "member_b", f"lesson:{lesson_id}")}
    assert verify(runner, "--unit", "甲党委") == (0, [])  # outside the unit: not this check's business
    assert runner.invoke(args=["progress", "repair"]).exit_code == 0
    assert verify(runner) == (0, [])


def test_the_worker_s_daily_job_repairs_the_year_and_logs_it(app, runner, world, caplog):
    from app.progress import jobs

    with app.app_context():
        course = make_course("quizzy")
        quiz_lesson = lesson_of(course, "quiz")
        quiz_lesson.quiz_id = make_attempt(user_named("member_b"), passed=True).id
        db.session.commit()
        with caplog.at_level("INFO", logger="app.progress.jobs"):
            jobs.daily_repair.call_local()
    assert "quiz_not_completed" in caplog.text and "1 violation(s) repaired" in caplog.text
    assert verify(runner) == (0, [])


def test_a_report_total_that_differs_from_the_ledger_is_named(app, runner, finished_course, monkeypatch):
    from app.reports import services as reports

    real = reports.build_unit_report

    def miscounting(unit_id, year, on=None):  # a report whose aggregation lost an entry
        report = real(unit_id, year, on)
        for member in report.members:
            if member.username == "member_a":
                member.hours -= 1
        return report

    monkeypatch.setattr(reports, "build_unit_report", miscounting)
    code, found = verify(runner, "--unit", "甲党委")
    assert code == 1
    assert [(v["kind"], v["member"]) for v in found] == [("report_total_mismatch", "member_a")]
    assert found[0]["detail"] == "report 1 h, ledger 2 h"
