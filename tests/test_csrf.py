"""CSRF on every state-changing route: the URL map is enumerated, so a new route is covered at once."""

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.courses.models import Course, Lesson
from app.extensions import db
from tests.factories.courses import make_course

# Routes that need no CSRF token, and why: they act on no cookie-signed session.
# Routes whose credential is not the session, each with what it answers to a request carrying none.
NO_SESSION_ROUTES = {
    # signs a client in with the password in its body and sets no cookie (docs/api.md)
    "auth_api.issue_token": 422,
    # nginx-rtmp's callbacks: the secret token in the path is the credential (docs/api.md); "x" is none
    "live_api.on_publish": 404,
    "live_api.on_publish_done": 404,
    "live_api.on_record_done": 404,
}


def test_every_state_changing_route_refuses_a_request_without_the_csrf_token(app, world, client, auth):
    with app.app_context():
        make_course("csrf-course", owner="trainer")  # real objects with small ids for the routes to find
        before = (
            db.session.scalar(select(func.count(AuditEvent.id))),
            db.session.scalar(select(func.count(Course.id))),
            db.session.scalar(select(func.count(Lesson.id))),
        )
    auth.login("admin")  # the most powerful account: only the missing token may stop it
    accepted, tried = [], 0
    for rule in app.url_map.iter_rules():
        methods = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if not methods:
            continue
        values = {
            name: 1 if "Integer" in type(rule._converters[name]).__name__ else "x" for name in rule.arguments
        }
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in methods:
            response = client.open(url, method=method, data={"title": "x"})
            tried += 1
            if rule.endpoint in NO_SESSION_ROUTES:  # no credential of theirs: nothing done
                assert response.status_code == NO_SESSION_ROUTES[rule.endpoint], rule.endpoint
            elif response.status_code != 400:
                accepted.append((method, rule.rule, response.status_code))
    assert accepted == []
    assert tried >= 80  # the whole map was walked (89 state-changing routes and methods today)
    with app.app_context():
        after = (
            db.session.scalar(select(func.count(AuditEvent.id))),
            db.session.scalar(select(func.count(Course.id))),
            db.session.scalar(select(func.count(Lesson.id))),
        )
    # Signing in is audited; nothing after it was.
    assert after[1:] == before[1:]
    assert after[0] - before[0] <= 1
