"""Anonymous visitors: every route of the course, quiz and notice pages refuses them before anything else.

The URL map is walked, so a route added to these blueprints is covered at once. The objects the URLs
name exist (a published course, a quiz, a member's attempt, a bank and its question), so a route that
loaded its object before asking who is there would answer 200 or 404 and fail here: a page sends the
visitor to sign in, the JSON API answers 401, and nothing is written.
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

# The member-facing and authoring blueprints of the courses and quizzes domains, and the notices.
BLUEPRINTS = ("courses", "quizzes", "quiz_authoring", "quizzes_api", "notices")


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
            # Ids that need not exist: a route that looked before asking would answer 404 and fail.
            "notice_id": 1,
            "delivery_id": 1,
            "attachment_id": 1,
            "unit_id": world.unit_a1,
            "kind": "wecom",
        }


def row_counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Attempt, Question, QuestionBank, Quiz)
    )


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_every_route_sends_an_anonymous_visitor_to_sign_in(app, client, url_values, blueprint):
    with app.app_context():
        before = row_counts()
    token = csrf_token(client)  # so that a state-changing request is refused for who sends it
    adapter = app.url_map.bind("localhost")
    answered, walked = {}, 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] != blueprint:
            continue
        values = {
            name: sorted(converter.items)[0] if hasattr(converter, "items") else url_values[name]
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
    assert walked > 0
    assert answered == {}
    with app.app_context():
        assert row_counts() == before
