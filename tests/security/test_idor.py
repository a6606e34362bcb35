"""IDOR: every object id in a URL or an API, tried by people it does not belong to.

Committee A (甲党委) gets one of each object: its units, members and their ledgers and reports, a
member's quiz attempts (open and finished) and certificate, an in-person session with its evidence,
a notice with an attachment, and a course that is not published with a video lesson (and its files)
and a reading lesson. Then a member and the secretary of committee B (乙党委) ask for each by id —
and, for the unpublished course, a member of committee A too. Every answer is 403 or 404 (401 for
an API), and nothing of committee A is in it: no name of its members, units or hidden course.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.courses.models import CompletionRule, LessonKind
from app.extensions import db
from app.notices import services as notices
from app.org.models import OrgUnit
from app.progress import sessions
from app.progress.models import Certificate, SessionKind
from app.quizzes.services import attempts
from tests.factories.auth import user_named
from tests.factories.courses import lesson_of, make_course
from tests.factories.progress import PNG, complete_everything
from tests.factories.quizzes import make_quiz
from tests.web import csrf_token

# Words that only committee A's objects carry: its members' names, its units, the hidden course.
SECRETS = ("甲党员", "甲二党员", "甲书记", "甲党委", "机关党总支", "隐藏课程", "甲支部通知", "党章学习入门")
REFUSED = {401, 403, 404}


@dataclass
class Probe:
    method: str
    url: str
    json: dict | None = None
    form: dict | None = None


@pytest.fixture
def committee_a(app, world) -> dict:
    """One object of each kind belonging to committee A; returns their ids."""
    with app.app_context():
        course = make_course(slug="dangzhang", title="党章学习入门", credit_hours="2")
        complete_everything(user_named("member_a"), course)
        certificate = db.session.scalar(select(Certificate))

        hidden = make_course(
            slug="hidden",
            title="隐藏课程",
            lessons=(
                ("clip", LessonKind.VIDEO, 2, CompletionRule.WATCHED),
                ("reading", LessonKind.READING, 5, CompletionRule.READ),
                ("text", LessonKind.TEXT, 5, CompletionRule.OPENED),
            ),
            published=False,
        )
        video = lesson_of(hidden, "clip").video

        quiz = make_quiz(attempts_allowed=2)
        finished = attempts.start_attempt(quiz, user_named("member_a"))
        attempts.submit_attempt(finished, user_named("member_a"), {}, finished.revision)
        open_attempt = attempts.start_attempt(quiz, user_named("member_a"))

        session = sessions.record_session(
            db.session.get(OrgUnit, world.unit_a1),
            SessionKind.THREE_MEETINGS,
            date.today() - timedelta(days=1),
            "甲党委学习会",
            90,
            [world.member_a, world.sec_a],
            sessions.Evidence(PNG, "sign-in.png"),
            user_named("sec_a"),
        )
        notice = notices.publish_notice(
            user_named("sec_a"),
            db.session.get(OrgUnit, world.unit_a1),
            notices.NoticeFields("甲支部通知", "甲党委内部", None, True),
            [notices.Upload("名单.png", PNG)],
        )
        return {
            "course": course.id,
            "certificate": certificate.id,
            "certificate_code": certificate.code,
            "hidden_slug": hidden.slug,
            "video_lesson": lesson_of(hidden, "clip").id,
            "reading_lesson": lesson_of(hidden, "reading").id,
            "text_lesson": lesson_of(hidden, "text").id,
            "video": video.id,
            "height": video.renditions[0].height,
            "subtitle": 1,
            "quiz": quiz.id,
            "finished_attempt": finished.id,
            "open_attempt": open_attempt.id,
            "session": session.id,
            "notice": notice.id,
            "notice_file": notice.attachments[0].id,
        }


def unit_probes(world) -> list[Probe]:
    probes = []
    for unit in (world.unit_a1, world.unit_a2, world.unit_a, world.committee_a):
        probes += [
            Probe("GET", f"/org/units/{unit}"),
            Probe("GET", f"/org/units/{unit}/members/new"),
            Probe("GET", f"/reports/units/{unit}"),
            Probe("GET", f"/reports/units/{unit}/report.csv"),
            Probe("GET", f"/reports/units/{unit}/report.xlsx"),
            Probe("GET", f"/reports/units/{unit}/schedule"),
            Probe("GET", f"/api/v1/org-units/{unit}/report"),
            Probe("GET", f"/progress/units/{unit}/rules"),
            Probe("GET", f"/progress/units/{unit}/targets"),
            Probe("GET", f"/progress/sessions/new/{unit}"),
            Probe("POST", f"/org/units/{unit}/rename", form={"name": "改名"}),
            Probe("POST", f"/org/units/{unit}/children", form={"name": "新支部"}),
            Probe("POST", f"/progress/units/{unit}/targets", form={"year": "2026", "hours": "1"}),
        ]
    return probes


def member_probes(world, ids) -> list[Probe]:
    probes = []
    for member in (world.member_a, world.member_a2, world.sec_a):
        probes += [
            Probe("GET", f"/org/members/{member}"),
            Probe("GET", f"/reports/members/{member}"),
            Probe("GET", f"/reports/members/{member}/courses/{ids['course']}"),
            Probe("GET", f"/progress/members/{member}/ledger"),
            Probe(
                "POST",
                f"/progress/members/{member}/ledger",
                form={"year": "2026", "hours": "9", "reason": "x"},
            ),
            Probe("POST", f"/org/members/{member}/move", form={"unit_id": str(world.unit_b1)}),
        ]
    return probes


def attempt_probes(ids) -> list[Probe]:
    probes = []
    for attempt in (ids["finished_attempt"], ids["open_attempt"]):
        probes += [
            Probe("GET", f"/quizzes/attempts/{attempt}"),
            Probe("GET", f"/quizzes/attempts/{attempt}/review"),
            Probe("POST", f"/api/v1/quizzes/attempts/{attempt}/answers", json={"answers": {}, "revision": 0}),
            Probe("POST", f"/quizzes/attempts/{attempt}/submit", form={"revision": "0"}),
        ]
    return probes


def evidence_probes(ids) -> list[Probe]:
    return [
        Probe("GET", f"/progress/certificates/{ids['certificate']}.pdf"),
        Probe("GET", f"/progress/sessions/{ids['session']}/evidence"),
        Probe("GET", f"/notices/{ids['notice']}"),
        Probe("GET", f"/notices/{ids['notice']}/receipts"),
        Probe("GET", f"/notices/{ids['notice']}/edit"),
        Probe("GET", f"/notices/{ids['notice']}/files/{ids['notice_file']}"),
        Probe("POST", f"/notices/{ids['notice']}/acknowledge"),
        Probe("POST", f"/notices/{ids['notice']}/remind"),
    ]


def unpublished_probes(ids) -> list[Probe]:
    """A course that is not published: its pages, its video's files, and the progress APIs."""
    video, slug = ids["video"], ids["hidden_slug"]
    probes = [
        Probe("GET", f"/courses/{slug}/"),
        Probe("GET", f"/media/videos/{video}/{ids['height']}p.mp4"),
        Probe("GET", f"/media/videos/{video}/poster.jpg"),
        Probe("GET", f"/media/videos/{video}"),
        Probe("GET", "/media/videos"),
        Probe("GET", f"/api/v1/videos/status?ids={video}"),
        Probe("POST", f"/media/videos/{video}/delete"),
    ]
    for lesson in (ids["video_lesson"], ids["reading_lesson"], ids["text_lesson"]):
        probes += [
            Probe("GET", f"/courses/{slug}/lessons/{lesson}"),
            Probe("GET", f"/api/v1/lessons/{lesson}/progress"),
            Probe("GET", f"/api/v1/lessons/{lesson}/reading-progress"),
            Probe("POST", f"/api/v1/lessons/{lesson}/heartbeat", json={"start": 0, "end": 1}),
            Probe("POST", f"/api/v1/lessons/{lesson}/reading-heartbeat", json={"seconds": 5}),
            Probe("POST", f"/progress/lessons/{lesson}/finished"),
            Probe("POST", f"/discussions/lessons/{lesson}/posts", form={"body": "看看"}),
        ]
    return probes


OWN_NAMES = {"member_a": "甲党员", "member_a2": "甲二党员"}


def leaks(client, probes: list[Probe], visitor: str = "") -> list[str]:
    """Send each probe with a valid CSRF token; list every answer that is not a refusal or says too much.

    The visitor's own name is on every page they get (the navigation), so it is no secret to them.
    """
    secrets = [word for word in SECRETS if word != OWN_NAMES.get(visitor)]
    token = csrf_token(client, "/")
    problems = []
    for probe in probes:
        if probe.method == "GET":
            response = client.get(probe.url)
        elif probe.json is not None:
            response = client.post(probe.url, json=probe.json, headers={"X-CSRFToken": token})
        else:
            response = client.post(probe.url, data={"csrf_token": token, **(probe.form or {})})
        body = (
            response.get_data(as_text=True)
            if response.mimetype.startswith(("text/", "application/json"))
            else ""
        )
        said = [word for word in secrets if word in body]
        if response.status_code not in REFUSED or said:
            problems.append(f"{probe.method} {probe.url}: {response.status_code} {said}")
    return problems


def nothing_changed(app, world) -> None:
    from app.auth.models import User
    from app.progress.models import HourEntry, SourceKind

    with app.app_context():
        assert db.session.get(OrgUnit, world.unit_a1).name == "第一党支部"
        assert db.session.get(User, world.member_a).unit_id == world.unit_a1
        corrections = select(HourEntry).where(HourEntry.source_kind == SourceKind.CORRECTION)
        assert db.session.scalars(corrections).all() == []


@pytest.mark.parametrize("visitor", ["member_b", "sec_b"])
def test_committee_a_s_units_are_not_found_by_another_committee(app, client, auth, world, visitor):
    auth.login(visitor)
    assert leaks(client, unit_probes(world), visitor) == []
    nothing_changed(app, world)


@pytest.mark.parametrize("visitor", ["member_b", "sec_b"])
def test_committee_a_s_members_ledgers_and_reports_are_not_found(
    app, client, auth, world, committee_a, visitor
):
    auth.login(visitor)
    assert leaks(client, member_probes(world, committee_a), visitor) == []
    nothing_changed(app, world)


@pytest.mark.parametrize("visitor", ["member_b", "sec_b", "member_a2"])
def test_another_member_s_quiz_attempts_are_not_found(app, client, auth, world, committee_a, visitor):
    auth.login(visitor)
    assert leaks(client, attempt_probes(committee_a), visitor) == []
    with app.app_context():
        from app.quizzes.models import Attempt

        assert db.session.get(Attempt, committee_a["open_attempt"]).finished_at is None


@pytest.mark.parametrize("visitor", ["member_b", "sec_b"])
def test_certificates_session_evidence_and_notices_of_another_committee(
    app, client, auth, world, committee_a, visitor
):
    auth.login(visitor)
    assert leaks(client, evidence_probes(committee_a), visitor) == []


def test_another_member_of_the_same_branch_cannot_open_a_certificate(client, auth, world, committee_a):
    auth.login("member_a2")
    assert leaks(client, evidence_probes(committee_a)[:1], "member_a2") == []


def test_the_public_verify_page_shows_only_name_course_date_and_hours(client, world, committee_a):
    page = client.get(f"/certificates/verify/{committee_a['certificate_code']}").get_data(as_text=True)
    assert "甲党员" in page and "党章学习入门" in page
    for private in ("member_a", "第一党支部", "机关党总支", "甲党委"):
        assert private not in page


@pytest.mark.parametrize("visitor", ["member_b", "sec_b", "member_a"])
def test_an_unpublished_course_its_video_and_its_progress_apis(
    app, client, auth, world, committee_a, visitor
):
    auth.login(visitor)
    assert leaks(client, unpublished_probes(committee_a), visitor) == []
    with app.app_context():
        from app.progress.models import LessonProgress

        lessons = [committee_a[key] for key in ("video_lesson", "reading_lesson", "text_lesson")]
        assert (
            db.session.scalars(select(LessonProgress).where(LessonProgress.lesson_id.in_(lessons))).all()
            == []
        )


def test_signed_out_visitors_get_nothing_by_id(client, world, committee_a):
    probes = (
        unit_probes(world)[:10]
        + member_probes(world, committee_a)[:4]
        + attempt_probes(committee_a)[:2]
        + evidence_probes(committee_a)[:6]
        + unpublished_probes(committee_a)[:6]
    )
    problems = []
    for probe in probes:
        response = client.get(probe.url)
        body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
        if response.status_code not in REFUSED | {302} or any(word in body for word in SECRETS):
            problems.append(f"{probe.url}: {response.status_code}")
        if response.status_code == 302:
            assert "/login" in response.location
    assert problems == []


def reached(client, probes: list[Probe]) -> list[str]:
    """The GET probes that do not answer 200 to someone allowed to see them."""
    missed = []
    for probe in probes:
        if probe.method == "GET":
            with client.get(probe.url) as response:
                if response.status_code != 200:
                    missed.append(f"{probe.url}: {response.status_code}")
    return missed


def test_the_probes_reach_real_pages_for_those_allowed(client, auth, world, committee_a):
    """A control: the same ids answer 200 to their owners, so the refusals above are not typos."""
    auth.login("sec_a")
    # By whole path segment: "/5" is also the start of another member's ".../courses/556".
    own_unit = [p for p in unit_probes(world) if str(world.unit_a1) in p.url.split("/")]
    own_member = [p for p in member_probes(world, committee_a) if str(world.member_a) in p.url.split("/")]
    evidence = [p for p in evidence_probes(committee_a) if "/evidence" in p.url or "/receipts" in p.url]
    assert reached(client, own_unit + own_member + evidence) == []
    auth.logout()
    auth.login("member_a")
    mine = [*attempt_probes(committee_a)[1:2], attempt_probes(committee_a)[4]]
    notice = [p for p in evidence_probes(committee_a) if "/receipts" not in p.url and "/edit" not in p.url]
    assert reached(client, mine + notice) == []
    auth.logout()
    auth.login("admin")
    reading = f"/lessons/{committee_a['reading_lesson']}"  # no document behind it here: not a page to open
    hidden = [p for p in unpublished_probes(committee_a) if "progress" not in p.url and reading not in p.url]
    assert reached(client, hidden) == []
