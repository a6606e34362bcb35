"""The UI says what the rules are: docs/glossary.md against the catalogue, and the labels on the pages."""

import re
from datetime import date

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from app.auth.models import User
from app.config import PROJECT_ROOT
from app.courses.models import Course, LessonKind
from app.demo.services import DEMO_PASSWORD
from app.extensions import db
from app.notices.services import NoticeFields, publish_notice
from tests.web import AuthActions

GLOSSARY = PROJECT_ROOT / "docs" / "glossary.md"
CATALOGUE = PROJECT_ROOT / "app" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
ROW = re.compile(r"^\| ([^|]+?) \| ([^|]+?) \| [^|]+ \|$")


def glossary_rows() -> list[tuple[str, str]]:
    rows = [
        ROW.match(line).groups()
        for line in GLOSSARY.read_text(encoding="utf-8").splitlines()
        if ROW.match(line)
    ]
    return [(english, chinese) for english, chinese in rows if english != "English"]


def test_every_glossary_term_is_translated_as_the_glossary_says():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    rows = glossary_rows()
    assert len(rows) > 40
    wrong = {
        english: (catalogue[english].string if english in catalogue else None)
        for english, chinese in rows
        if english not in catalogue or catalogue[english].string != chinese
    }
    assert wrong == {}


def test_labels_that_once_said_something_else_than_the_rule_are_gone():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    # "From"/"To" of dates had become 转出组织/转入组织; True/False read 对 / 错误.
    assert catalogue["From date"].string == "起始日期" and catalogue["To date"].string == "结束日期"
    assert (catalogue["True"].string, catalogue["False"].string) == ("对", "错")
    assert catalogue["First opened"].string != catalogue["Opened"].string


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.slow
def test_pages_show_the_labels_of_the_glossary(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "dangzhang-rumen"))
        lessons = {lesson.kind: lesson for module in course.modules for lesson in module.lessons}
        text_id, video_id = lessons[LessonKind.TEXT].id, lessons[LessonKind.VIDEO].id
        quiz_id, course_id = lessons[LessonKind.QUIZ].quiz_id, course.id
        secretary = db.session.scalar(select(User).where(User.username == "secretary"))
        member_id = db.session.scalar(select(User.id).where(User.username == "member"))
        publish_notice(
            secretary, secretary.unit, NoticeFields(title="支部学习安排", deadline=date(2030, 1, 1))
        )

    member = app.test_client()
    AuthActions(member).login("member2", DEMO_PASSWORD)  # has not studied the course yet
    text = _page(member, f"/courses/dangzhang-rumen/lessons/{text_id}")
    assert "完成条件：阅读满规定时长，或点击“我已读完”" in text and "打开即完成" not in text
    video = _page(member, f"/courses/dangzhang-rumen/lessons/{video_id}")
    assert "约 1 分钟" in video  # the demo clip lasts 4 seconds
    started = member.post(
        f"/quizzes/{quiz_id}/start", data={"csrf_token": _token(member, f"/quizzes/{quiz_id}")}
    )
    attempt = _page(member, started.headers["Location"])
    options = re.findall(
        r'<label class="option"><input type="radio"[^>]*value="(true|false)"[^>]*> ([^<]+)</label>', attempt
    )
    assert sorted(options) == [("false", "错"), ("true", "对")]

    secretary_client = app.test_client()
    AuthActions(secretary_client).login("secretary", DEMO_PASSWORD)
    sent = _page(secretary_client, "/notices/sent")
    assert "<th>发送至</th>" in sent and "转入组织" not in sent
    report = _page(secretary_client, f"/reports/members/{member_id}/courses/{course_id}")
    assert "<th>首次打开时间</th><th>完成时间</th>" in report and "打开即完成" not in report

    admin = app.test_client()
    AuthActions(admin).login("admin", DEMO_PASSWORD)
    audit = _page(admin, "/audit/")
    assert '<label for="since">起始日期</label>' in audit and '<label for="until">结束日期</label>' in audit

    trainer = app.test_client()
    AuthActions(trainer).login("trainer", DEMO_PASSWORD)
    outline = _page(trainer, f"/authoring/courses/{course_id}/")
    assert "<th>修改途径</th>" in outline and "转出组织" not in outline


def _token(client, path: str) -> str:
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', _page(client, path))
    assert match
    return match.group(1)
