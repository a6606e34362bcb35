"""The 学时台账: one credit per source, signed corrections, versioned rules, inherited targets."""

import json
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.courses.models import CompletionRule, LessonKind
from app.extensions import db
from app.org.models import OrgUnit
from app.progress import ledger, services
from app.progress.ledger import LedgerError
from app.progress.models import HourEntry, RuleKind, SourceKind
from tests.factories.auth import user_named
from tests.factories.courses import add_lesson, lesson_of, make_course
from tests.factories.progress import complete_everything


def entry_count(**where) -> int:
    statement = select(func.count(HourEntry.id))
    for key, value in where.items():
        statement = statement.where(getattr(HourEntry, key) == value)
    return db.session.scalar(statement)


def test_completing_again_or_editing_the_course_never_credits_twice(app, world):
    with app.app_context():
        course = make_course(credit_hours="2")
        member = user_named("member_a")
        complete_everything(member, course)
        assert entry_count(source_kind=SourceKind.COURSE) == 1
        services.record_lesson_completed(member, lesson_of(course, "clip"), {"verified_seconds": 1})
        course.credit_hours = Decimal("5")  # the trainer edits the declared hours
        db.session.commit()
        services.evaluate_course(member, course)
        assert entry_count(source_kind=SourceKind.COURSE) == 1
        assert ledger.total_for(member.id, ledger.local_year()) == 2


def test_a_reimport_adding_a_lesson_does_not_credit_the_course_again(app, world):
    with app.app_context():
        course = make_course(credit_hours="2")
        member = user_named("member_a")
        complete_everything(member, course)
        add_lesson(course.modules[0], "extra", LessonKind.VIDEO, 5, CompletionRule.WATCHED)
        services.record_lesson_completed(member, lesson_of(course, "extra"), {"verified_seconds": 300})
        assert entry_count(source_kind=SourceKind.COURSE) == 1


def test_crediting_the_same_source_twice_keeps_one_entry(app, world):
    with app.app_context():
        member = user_named("member_a")
        first = ledger.credit(member.id, SourceKind.COURSE, 7, Decimal("2"), "课程", "default/v1")
        second = ledger.credit(member.id, SourceKind.COURSE, 7, Decimal("2"), "课程", "default/v1")
        assert first is not None and second is None
        assert entry_count() == 1


@pytest.mark.slow
def test_two_concurrent_completions_credit_once(app, world):
    with app.app_context():
        course = make_course(credit_hours="3")
        member_id, course_id = world.member_a, course.id
    barrier = threading.Barrier(2)
    results, errors = [], []

    def complete_from_another_request():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results.append(
                    ledger.credit(member_id, SourceKind.COURSE, course_id, Decimal("3"), "课程", "default/v1")
                )
                db.session.commit()  # the outer operation's one commit
                db.session.remove()
        except Exception as error:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=complete_from_another_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sum(result is not None for result in results) == 1
    with app.app_context():
        assert entry_count(source_kind=SourceKind.COURSE, user_id=member_id) == 1


def test_an_admin_correction_is_a_new_signed_entry_with_its_reason(app, world):
    with app.app_context():
        member, admin = user_named("member_a"), user_named("admin")
        ledger.credit(member.id, SourceKind.COURSE, 1, Decimal("2"), "课程", "default/v1")
        entry = ledger.add_correction(member, "-0.5", "重复登记的半个学时", 2026, admin)
        assert (entry.hours, entry.source_kind, entry.created_by_id) == (
            Decimal("-0.5"),
            SourceKind.CORRECTION,
            admin.id,
        )
        assert entry.reason == "重复登记的半个学时"
        assert entry_count(user_id=member.id) == 2


@pytest.mark.parametrize(
    ("corrector", "allowed"),
    [("admin", True), ("trainer", True), ("sec_a", False), ("member_a2", False), ("member_a", False)],
)
def test_who_may_correct_a_members_hours(app, world, corrector, allowed):
    with app.app_context():
        member = user_named("member_a")
        if allowed:
            ledger.add_correction(member, "1", "线下补录一次学习", 2026, user_named(corrector))
        else:
            with pytest.raises(LedgerError):
                ledger.add_correction(member, "1", "线下补录一次学习", 2026, user_named(corrector))
        assert entry_count() == (1 if allowed else 0)


@pytest.mark.parametrize(
    ("hours", "reason"), [("0", "有理由的更正"), ("1", ""), ("abc", "有理由的更正"), ("1000", "太多了太多")]
)
def test_a_correction_without_reason_or_with_bad_hours_changes_nothing(app, world, hours, reason):
    with app.app_context():
        with pytest.raises(LedgerError):
            ledger.add_correction(user_named("member_a"), hours, reason, 2026, user_named("admin"))
        assert entry_count() == 0


def test_a_correction_through_the_ledger_page(app, client, auth, world):
    auth.login("admin")
    from tests.web import csrf_token

    path = f"/progress/members/{world.member_a}/ledger?year=2026"
    response = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "year": 2026, "hours": "1.5", "reason": "补录集中学习"},
    )
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="ledger-total">1.5<' in page and "补录集中学习" in page


def test_time_band_rules_are_versioned_and_inherited_from_the_nearest_unit(app, world):
    with app.app_context():
        committee, branch = db.session.get(OrgUnit, world.committee_a), db.session.get(OrgUnit, world.unit_a1)
        member = user_named("member_a")
        assert ledger.rule_for(member).label == "default/v1"
        ledger.set_rule(committee, RuleKind.TIME_BANDS, user_named("admin"))
        course = make_course(credit_hours="2")
        services.record_lesson_completed(member, lesson_of(course, "clip"), {"verified_seconds": 1800})
        first = db.session.scalar(select(HourEntry))
        assert (first.source_kind, first.hours, first.rule_version) == (
            SourceKind.LESSON,
            Decimal("1"),
            f"unit{committee.id}/v1",
        )  # 30 minutes or more: 1 学时
        ledger.set_rule(committee, RuleKind.TIME_BANDS, None, [[0, "0.5"], [20, "2"]], exam_hours="1")
        services.record_lesson_completed(member, lesson_of(course, "reading"), {"verified_seconds": 1200})
        second = db.session.scalar(
            select(HourEntry).where(HourEntry.source_id == lesson_of(course, "reading").id)
        )
        assert (second.hours, second.rule_version) == (Decimal("2"), f"unit{committee.id}/v2")
        db.session.refresh(first)
        assert first.rule_version == f"unit{committee.id}/v1"  # entries keep the version they used
        ledger.set_rule(branch, RuleKind.COURSE_HOURS, None)
        assert ledger.rule_for(member).label == f"unit{branch.id}/v1"  # the branch overrides the committee
        assert ledger.rule_for(user_named("member_a2")).label == f"unit{committee.id}/v2"


def test_band_boundaries(app):
    rule = ledger.EffectiveRule(kind=RuleKind.TIME_BANDS)
    assert [rule.lesson_hours(m) for m in (5, 14, 15, 29, 30, 90)] == [
        Decimal(h) for h in ("0.25", "0.25", "0.5", "0.5", "1", "1")
    ]
    assert [rule.session_hours(m) for m in (45, 90, 100, 30)] == [Decimal(h) for h in ("1", "2", "2", "0.5")]


def test_targets_default_to_32_and_are_inherited_unless_overridden(app, world):
    with app.app_context():
        committee, branch = db.session.get(OrgUnit, world.committee_a), db.session.get(OrgUnit, world.unit_a1)
        member, secretary, other = user_named("member_a"), user_named("sec_a"), user_named("member_b")
        assert ledger.target_for(member, 2026) == 32
        ledger.set_target(committee, Role.MEMBER, 2026, "40", None)
        ledger.set_target(committee, Role.SECRETARY, 2026, "56", None)
        assert ledger.target_for(member, 2026) == 40
        assert ledger.target_for(user_named("member_a2"), 2026) == 40
        assert ledger.target_for(secretary, 2026) == 56
        assert ledger.target_for(other, 2026) == 32  # another committee keeps the default
        assert ledger.target_for(member, 2027) == 32  # targets are per year
        ledger.set_target(branch, Role.MEMBER, 2026, "36", None)
        assert ledger.target_for(member, 2026) == 36
        assert ledger.target_for(user_named("member_a2"), 2026) == 40


def test_the_ledger_command_prints_entries_and_the_total_against_the_target(app, runner, world):
    with app.app_context():
        member = user_named("member_a")
        ledger.credit(
            member.id, SourceKind.COURSE, 3, Decimal("1.5"), "党章学习", "default/v1", [11, 12], year=2026
        )
        ledger.add_correction(member, "-0.5", "重复登记更正", 2026, user_named("admin"))
    result = runner.invoke(args=["progress", "ledger", "member_a", "--year", "2026", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["total"] == "1" and report["target"] == "32" and report["met"] is False
    first, second = report["entries"]
    assert {key: first[key] for key in ("source", "hours", "rule_version", "evidence_ids")} == {
        "source": "course",
        "hours": "1.5",
        "rule_version": "default/v1",
        "evidence_ids": [11, 12],
    }
    assert second["source"] == "correction" and second["hours"] == "-0.5" and "date" in second
    assert runner.invoke(args=["progress", "ledger", "nobody", "--year", "2026"]).exit_code != 0


def test_rules_targets_and_corrections_from_the_command_line(app, runner, world):
    rule = runner.invoke(
        args=["progress", "set-rule", "甲党委", "--kind", "time_bands", "--band", "0=0.25", "--band", "30=1"]
    )
    assert rule.exit_code == 0 and "/v1" in rule.output, rule.output
    bad = runner.invoke(args=["progress", "set-rule", "甲党委", "--kind", "time_bands", "--band", "thirty"])
    assert bad.exit_code != 0 and "MINUTES=HOURS" in bad.output
    target = runner.invoke(
        args=["progress", "set-target", "甲党委", "56", "--role", "secretary", "--year", "2026"]
    )
    assert target.exit_code == 0, target.output
    correction = runner.invoke(
        args=[
            "progress",
            "correct",
            "member_a",
            "2",
            "--reason",
            "补录党校脱产培训",
            "--by",
            "admin",
            "--year",
            "2026",
        ]
    )
    assert correction.exit_code == 0, correction.output
    refused = runner.invoke(
        args=["progress", "correct", "member_a", "2", "--reason", "自己加的学时", "--by", "member_a"]
    )
    assert refused.exit_code != 0
    with app.app_context():
        assert ledger.rule_for(user_named("member_a")).kind is RuleKind.TIME_BANDS
        assert ledger.target_for(user_named("sec_a"), 2026) == 56
        assert ledger.total_for(world.member_a, 2026) == 2
    exported = runner.invoke(args=["progress", "xapi", "member_a"])
    assert exported.exit_code == 0 and json.loads(exported.output) == []


@pytest.mark.slow
def test_two_requests_finishing_the_course_together_credit_and_certify_once(app, world):
    from app.progress.models import Certificate, LessonProgress
    from app.timeutil import utcnow

    with app.app_context():
        course = make_course(credit_hours="2")
        for lesson in course.modules[0].lessons:  # every lesson done: both requests see a finished course
            db.session.add(LessonProgress(user_id=world.member_a, lesson_id=lesson.id, completed_at=utcnow()))
        db.session.commit()
        course_id = course.id
    barrier = threading.Barrier(2)
    errors = []

    def finish():
        try:
            with app.app_context():
                from app.courses.models import Course

                member, course = user_named("member_a"), db.session.get(Course, course_id)
                barrier.wait(timeout=10)
                services.evaluate_course(member, course)
                db.session.commit()  # the outer operation's one commit
                db.session.remove()
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=finish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with app.app_context():
        assert entry_count(source_kind=SourceKind.COURSE) == 1
        assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_hours_belong_to_the_year_of_the_display_time_zone(app):
    from datetime import datetime

    with app.app_context():
        assert ledger.local_year(datetime(2026, 12, 31, 15, 59)) == 2026
        assert ledger.local_year(datetime(2026, 12, 31, 16, 0)) == 2027  # midnight in Beijing
