"""Anonymous visitors: every route of the site refuses them before anything else, but the few that
are public on purpose (PUBLIC, each with its reason).

The whole URL map is walked, so a route added anywhere is covered at once. The objects the course
and quiz URLs name exist (a published course, a quiz, a member's attempt, a bank and its question);
elsewhere the ids need not exist: a route that loaded its object before asking who is there would
answer 200 or 404 and fail here. A page sends the visitor to sign in, the JSON API answers 401, and
nothing is written.
"""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.quizzes.models import Attempt, Question, QuestionBank, Quiz
from app.quizzes.services import attempts
from tests.factories.auth import user_named
from tests.factories.courses import make_course
from tests.factories.quizzes import make_quiz
from tests.web import csrf_token

# Public on purpose, by endpoint.
PUBLIC = {
    "auth.login": "the sign-in page itself",
    "auth.set_language": "choosing the language before signing in",
    "auth_api.issue_token": "a client's sign-in: it answers for the password it is sent",
    "certificates.verify": "anyone may check a certificate's code",
    "live_api.on_publish": "nginx-rtmp's callbacks authenticate by the secret token in their path",
    "live_api.on_publish_done": "nginx-rtmp's callback (token in the path)",
    "live_api.on_record_done": "nginx-rtmp's callback (token in the path)",
    "offline.fallback": "the offline page the service worker keeps: it names no one",
    "offline.manifest": "the web app manifest, read by the browser before anyone signs in",
    "offline.service_worker": "the service worker script",
    "static": "styles, scripts and icons",
}
# Values for URL arguments the fixture does not name; the ids need not exist.
ANY_VALUE = {
    "key": "x",
    "code": "x",
    "token": "x",
    "kind": "wecom",
    "fmt": "csv",
    "filename": "x.css",
    "height": 360,
}


@pytest.fixture
def url_values(app, world) -> dict[str, object]:
    """A real object for each argument the walked routes take."""
    with app.app_context():
        course = make_course("walked")
        quiz = make_quiz()
        attempt = attempts.start_attempt(quiz, user_named("member_a"))
        question = attempt.quiz.slots[0].question
        return {
            "slug": course.slug,
            "lesson_id": course.modules[0].lessons[0].id,
            "name": "cover.png",
            "assignment_id": 1,
            "quiz_id": quiz.id,
            "attempt_id": attempt.id,
            "bank_id": question.category.bank_id,
            "question_id": question.id,
            "rule_id": 1,
            "response_id": attempt.responses[0].id,
            "unit_id": world.unit_a1,
            "member_id": world.member_a,
        }


def row_counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Attempt, Question, QuestionBank, Quiz)
    )


def test_every_route_sends_an_anonymous_visitor_to_sign_in(app, client, url_values):
    with app.app_context():
        before = row_counts()
    token = csrf_token(client)  # so that a state-changing request is refused for who sends it
    adapter = app.url_map.bind("localhost")
    answered, walked = {}, 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        values = {
            name: sorted(converter.items)[0]
            if hasattr(converter, "items")
            else url_values.get(name, ANY_VALUE.get(name, 1))
            for name, converter in rule._converters.items()
        }
        url = adapter.build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            walked += 1
            response = client.open(
                url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
            )
            if url.startswith("/api/"):
                refused = response.status_code == 401
            else:
                location = urlsplit(response.headers.get("Location", ""))
                refused = response.status_code == 302 and location.path == "/login"
            if not refused:
                answered[(method, rule.rule)] = response.status_code
    assert walked > 200  # the whole site (229 routes and methods on 2026-12-05)
    assert answered == {}
    with app.app_context():
        assert row_counts() == before
