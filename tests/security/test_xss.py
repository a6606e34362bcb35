"""Stored and reflected XSS: one set of payloads, written through the real services and pages into
every place members and trainers write text, then read back on every page that shows it.

A page passes when no executable markup survives anywhere in it: the site's own templates carry no
inline script or event handler (the Content-Security-Policy forbids them), so any ``<script>`` with a
body, any ``on…=`` attribute, any ``javascript:``/``data:`` link, and any ``<iframe>``/``<object>``/
``<embed>``/``<base>`` in a page came from a payload. Text fields must also be shown, escaped.
"""

import io
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from markupsafe import escape
from sqlalchemy import select

from app.auth.models import Role
from app.courses import authoring
from app.courses.models import CourseStatus, LessonKind
from app.extensions import db
from app.library.models import Document
from app.quizzes import gift_syntax
from app.quizzes.models import Attempt, QuizMode, RevealPolicy
from app.quizzes.services import attempts, banks, quizzes
from app.timeutil import utcnow
from tests.factories.auth import make_user, user_named
from tests.web import csrf_token

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "javascript-href": '<a href="javascript:alert(1)">x</a>',
    "svg-onload": "<svg onload=alert(1)>",
    "attribute-breakout": '"><script>alert(1)</script>',
    "data-url": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
}

MARK = "XSS探针"  # a plain word next to each payload, to prove the field reached the page

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}


class ExecutableMarkup(HTMLParser):
    """Collect everything in a page that a browser could run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag == "script":
            self._in_script = True
            source = dict(attrs).get("src") or ""
            if not source.startswith("/static/"):
                self.found.append(f"<script> not from /static/: {attrs}")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data[:80]!r}")

    def _check(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}> {attrs}")
        if tag == "meta" and any(
            name == "http-equiv" and (value or "").lower() == "refresh" for name, value in attrs
        ):
            self.found.append(f"<meta refresh> {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value:
                squeezed = "".join(value.split()).lower()
                if squeezed.startswith(DANGEROUS_SCHEMES):
                    self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and "javascript:" in (value or "").lower():
                self.found.append(f"<{tag} style={value!r}>")


def executable_markup(page: str) -> list[str]:
    parser = ExecutableMarkup()
    parser.feed(page)
    parser.close()
    return parser.found


def assert_inert(response, payload: str, shown_as_text: bool = True) -> str:
    """The page answered, shows the marked field, runs nothing; text fields show the payload escaped."""
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    assert MARK in page, "the field under test is not on this page"
    assert executable_markup(page) == []
    assert "<script>alert(1)" not in page and "<svg onload" not in page and "<img src=x" not in page
    if shown_as_text:
        assert str(escape(payload)) in page, "the payload is not shown as escaped text"
    return page


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_the_checker_finds_each_payload_when_it_is_not_escaped(name):
    assert executable_markup(f"<p>{PAYLOADS[name]}</p>")
    assert executable_markup(f'<input value="{PAYLOADS["attribute-breakout"]}">')


@pytest.fixture
def app_config() -> dict:
    return {"PROGRESS_TEXT_MIN_SHARE": 0}


@pytest.fixture(params=list(PAYLOADS), ids=list(PAYLOADS))
def payload(request) -> str:
    return PAYLOADS[request.param]


# --- courses: title, summary, module title, lesson title and body ----------------------------------


def test_course_module_and_lesson_text(app, client, auth, world, payload):
    with app.app_context():
        course = authoring.create_course(
            user_named("trainer"),
            "xss-course",
            authoring.CourseFields(title=f"{MARK}{payload}", summary=f"{MARK}{payload}", tags=["xss"]),
        )
        module = authoring.add_module(course, f"{MARK}{payload}")
        lesson = authoring.add_lesson(
            module,
            authoring.LessonFields(
                title=f"{MARK}{payload}",
                kind=LessonKind.TEXT,
                minutes=5,
                body=f"{MARK}\n\n{payload}\n\n[link](javascript:alert(1))\n\n{payload}",
            ),
        )
        authoring.set_status(course, CourseStatus.PUBLISHED)
        course_id, lesson_id = course.id, lesson.id
    auth.login("member_a")
    assert_inert(client.get("/courses/"), payload)
    assert_inert(client.get(f"/courses/?q={quote(MARK)}"), payload)
    assert_inert(client.get("/courses/xss-course/"), payload)
    # The lesson body is Markdown: sanitised, so the payload is not shown verbatim, only inert.
    assert_inert(client.get(f"/courses/xss-course/lessons/{lesson_id}"), payload)
    auth.logout()
    auth.login("trainer")
    assert_inert(client.get("/authoring/courses/"), payload)
    assert_inert(client.get(f"/authoring/courses/{course_id}/"), payload)
    assert_inert(client.get(f"/authoring/lessons/{lesson_id}/edit"), payload)


def test_a_lesson_body_posted_through_the_editor(app, client, auth, world, payload):
    with app.app_context():
        course = authoring.create_course(
            user_named("trainer"), "xss-editor", authoring.CourseFields(title=f"{MARK}课程")
        )
        module = authoring.add_module(course, "第一单元")
        module_id, course_id = module.id, course.id
    auth.login("trainer")
    token = csrf_token(client, f"/authoring/courses/{course_id}/")
    response = client.post(
        f"/authoring/modules/{module_id}/lessons/new",
        data={
            "csrf_token": token,
            "title": f"{MARK}{payload}",
            "kind": "text",
            "minutes": "5",
            "completion": "opened",
            "body": f"{MARK}\n\n{payload}",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert_inert(client.get(f"/authoring/courses/{course_id}/"), payload)
    preview = client.post(
        f"/authoring/courses/{course_id}/preview",
        json={"markdown": f"{MARK}\n\n{payload}"},
        headers={"X-CSRFToken": token},
    )
    assert preview.status_code == 200
    body = preview.get_json()["html"]
    assert executable_markup(body) == [] and "alert(1)</script>" not in body


# --- the library: uploaded Markdown and HTML, their titles, and the search page ------------------


def upload_document(client, filename: str, data: bytes):
    token = csrf_token(client, "/library/upload")
    return client.post(
        "/library/upload",
        data={"csrf_token": token, "collection": "测试文集", "document": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("kind", ["md", "html"])
def test_library_documents_and_their_titles(app, client, auth, world, payload, kind):
    if kind == "md":
        source = f"---\ntitle: '{MARK}{payload}'\n---\n\n{MARK}导言。\n\n# {MARK}{payload}\n\n{MARK}正文 {payload}\n"
    else:
        source = (
            f"<html><head><title>{MARK}{escape(payload)}</title></head><body>"
            f"<h1>{MARK}章</h1><p>{MARK}正文 {payload}</p><p>{escape(payload)}</p></body></html>"
        )
    auth.login("trainer")
    response = upload_document(client, f"xss.{kind}", source.encode())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        document = db.session.scalar(select(Document))
        document_id, key = document.id, document.key
    auth.logout()
    auth.login("member_a")
    # Imported content is reduced to text by the importers: only inertness can be asked of it.
    assert_inert(client.get(f"/library/documents/{document_id}"), payload, shown_as_text=False)
    auth.logout()
    # A title (and the other metadata) typed in the edit form is kept as written and shown escaped.
    auth.login("trainer")
    edited = client.post(
        f"/library/documents/{document_id}/edit",
        data={
            "csrf_token": csrf_token(client, f"/library/documents/{document_id}/edit"),
            "title": f"{MARK}{payload}",
            "author": payload,
            "source": payload,
            "tags": payload,
            "collection": "测试文集",
            "key": key,
        },
    )
    assert edited.status_code == 302, edited.get_data(as_text=True)[:2000]
    with app.app_context():
        assert db.session.get(Document, document_id).title == f"{MARK}{payload}"
    assert_inert(client.get(f"/library/documents/{document_id}/edit"), payload)
    auth.logout()
    auth.login("member_a")
    assert_inert(client.get(f"/library/documents/{document_id}"), payload)
    assert_inert(client.get("/library/"), payload)
    assert_inert(client.get(f"/library/search?q={quote(MARK)}"), payload, shown_as_text=False)


@pytest.mark.parametrize(
    "path",
    ["/library/search?q={}", "/courses/?q={}", "/media/videos?q={}"],
)
def test_search_queries_are_echoed_escaped(app, client, auth, world, payload, path):
    auth.login("trainer")
    response = client.get(path.format(quote(f"{MARK}{payload}")))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert executable_markup(page) == []
    assert str(escape(f"{MARK}{payload}")) in page  # echoed in the search box, as text


def test_the_search_api_returns_json_not_markup(app, client, auth, world, payload):
    auth.login("member_a")
    response = client.get(f"/api/v1/library/search?q={quote(payload)}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- quizzes: question text and answer feedback through a GIFT import ------------------------------


def test_quiz_question_text_and_feedback_from_gift(app, client, auth, world, payload):
    hostile = gift_syntax.escape(f"{MARK}{payload}")
    source = (
        f"[html]{hostile} {{=right#{hostile} ~wrong#{hostile} ####{hostile}}}\n\n"
        f"{hostile} {{T#{hostile}#{hostile}}}\n\n"
        f"[markdown]{hostile} {{=一九二一#{hostile}}}\n"
    )
    with app.app_context():
        bank = banks.create_bank("XSS题库", created_by=user_named("trainer"))
        report = banks.import_gift(bank, source, strict=True)
        assert (report.created, report.errors) == (3, [])
        banks.set_bank_published(bank, True)
        values = {
            "title": f"{MARK}测验",
            "mode": QuizMode.FIXED,
            "shuffle_options": False,
            "reveal": RevealPolicy.AFTER_SUBMIT,
        }
        quiz = quizzes.create_quiz(
            quizzes.QuizSettings(**values, published=False), created_by=user_named("trainer")
        )
        quizzes.set_fixed_questions(quiz, banks.bank_questions(bank))
        quizzes.update_quiz(quiz, quizzes.QuizSettings(**values, published=True))
        member = user_named("member_a")
        attempt = attempts.start_attempt(quiz, member, now=utcnow() - timedelta(seconds=5))
        attempt_id, bank_id, quiz_id = attempt.id, bank.id, quiz.id
    auth.login("member_a")
    assert_inert(client.get(f"/quizzes/attempts/{attempt_id}"), payload, shown_as_text=False)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempts.submit_attempt(attempt, user_named("member_a"), {}, attempt.revision)
    review = assert_inert(client.get(f"/quizzes/attempts/{attempt_id}/review"), payload, shown_as_text=False)
    assert review.count(MARK) >= 3
    auth.logout()
    auth.login("trainer")
    assert_inert(client.get(f"/quizzes/banks/{bank_id}"), payload, shown_as_text=False)
    assert_inert(client.get(f"/quizzes/manage/{quiz_id}/statistics"), payload, shown_as_text=False)


# --- discussions, notices, display names ---------------------------------------------------------


def test_a_discussion_post_and_reply(app, client, auth, world, payload):
    from app.discussions import services as discussions

    with app.app_context():
        course = authoring.create_course(
            user_named("trainer"), "xss-talk", authoring.CourseFields(title="讨论课程")
        )
        module = authoring.add_module(course, "第一单元")
        lesson = authoring.add_lesson(
            module, authoring.LessonFields(title="第1课", kind=LessonKind.TEXT, minutes=5, body="正文")
        )
        authoring.set_status(course, CourseStatus.PUBLISHED)
        post = discussions.create_post(
            user_named("member_a"), lesson, f"{MARK}\n\n{payload}", is_question=True
        )
        discussions.reply_to(user_named("member_a2"), post, f"{MARK}\n\n{payload}", quote=True)
        lesson_id = lesson.id
    auth.login("member_a")
    assert_inert(client.get(f"/courses/xss-talk/lessons/{lesson_id}"), payload, shown_as_text=False)
    assert_inert(client.get("/discussions/replies"), payload, shown_as_text=False)
    auth.logout()
    auth.login("trainer")
    assert_inert(client.get("/discussions/questions"), payload, shown_as_text=False)


def test_a_notice_title_and_body(app, client, auth, world, payload):
    auth.login("sec_a")
    token = csrf_token(client, "/notices/new")
    response = client.post(
        "/notices/new",
        data={
            "csrf_token": token,
            "title": f"{MARK}{payload}",
            "body": f"{MARK}\n\n{payload}",
            "unit_id": str(world.unit_a1),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    from app.notices.models import Notice

    with app.app_context():
        notice_url = f"/notices/{db.session.scalar(select(Notice.id))}"
    assert_inert(client.get("/notices/sent"), payload)
    auth.logout()
    auth.login("member_a")
    assert_inert(client.get("/"), payload)  # unread notices are listed on the home page until opened
    assert_inert(client.get("/notices/"), payload)
    assert_inert(client.get(notice_url), payload)


def test_a_member_s_display_name(app, client, auth, world, payload):
    with app.app_context():
        member = make_user(
            "xss_member", (Role.MEMBER,), "甲党委/机关党总支/第一党支部", name=f"{MARK}{payload}"
        )
        member_id = member.id
    auth.login("xss_member")
    assert_inert(client.get("/"), payload)
    assert_inert(client.get("/progress/"), payload)
    auth.logout()
    auth.login("sec_a")
    assert_inert(client.get(f"/org/units/{world.unit_a1}"), payload)
    assert_inert(client.get(f"/org/members/{member_id}"), payload)
    assert_inert(client.get(f"/reports/units/{world.unit_a1}"), payload)
    assert_inert(client.get(f"/reports/members/{member_id}"), payload)
    assert_inert(client.get(f"/progress/members/{member_id}/ledger"), payload)
    auth.logout()
    auth.login("admin")
    assert_inert(client.get("/admin/users"), payload)
