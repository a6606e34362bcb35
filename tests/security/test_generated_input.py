"""Generated hostile input at every route: no JSON body or query string may cause a 5xx (issue 21, item 2).

Hypothesis draws JSON bodies (huge and non-finite numbers, deep nesting, wrong shapes, invalid text),
query strings (page numbers and filters of every kind) and path ids, and sends them to every
``/api/v1`` route of the URL map and to every page, signed in as each role. The routes are
enumerated from ``app.url_map``, so a new route is covered without editing this file. Every route is
also sent one fixed set of the worst cases first, so each is exercised whatever Hypothesis draws.
Under TESTING an unhandled exception propagates out of the client, so a 500 fails here with its
traceback.
"""

import json
import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.models import Role
from app.quizzes.services import attempts
from tests.factories.auth import make_user, user_named
from tests.factories.courses import lesson_of, make_course, make_video_lesson
from tests.factories.quizzes import make_quiz
from tests.web import AuthActions, csrf_token

ROLES = {
    "member": "member_a",
    "trainer": "trainer",
    "secretary": "sec_a",
    "admin": "admin",
    "auditor": "auditor",
    "reviewer": "reviewer",
}
# The examples per role and test: the two tests stay well under a minute on each database.
EXAMPLES = 20
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same inputs on every run and database: a failure reproduces
    database=None,  # nothing written to .hypothesis/
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Fields the endpoints read, so generated objects get past "unknown field" checks to the values.
FIELDS = ["start", "end", "session", "sequence", "seconds", "revision", "fields", "locale", "anchor"]
# Query parameters the pages and the API read.
PARAMETERS = [
    "page", "year", "lesson", "collection", "q", "sort", "tag", "actor", "action", "object_type",
    "since", "until", "kind", "view", "ids", "next", "section", "status",
]  # fmt: skip
HUGE = [2**31, 2**53, 2**53 + 1, 2**63, -(2**63) - 1, 10**30, 10**400]
RAW_BODIES = [
    "[" * 5000 + "]" * 5000,
    '{"a":' * 3000 + "1" + "}" * 3000,
    '{"start": 0, "end": 1' + "0" * 400 + "}",
    '{"start": 0, "end": 1e400, "seconds": -1e400}',
    '{"revision": 1' + "0" * 30 + ', "fields": []}',
    '{"sequence": 9223372036854775808, "start": 0, "end": 5}',
    '{"start": NaN, "end": Infinity}',
    '{"fields": [["q-1", 1' + "0" * 5000 + "]]}",
    "",
    "{",
    '"\\ud800"',
]
# Sent to every route before the generated cases: the bodies that answered 500 in the hostile pass.
WORST_BODIES = RAW_BODIES[:7]
HOSTILE_VALUES = [
    "99999999999999999999999", "-1", "0", "1e400", "NaN", "١٢", " 2 ", "1.5", "0x10", "\x00", "2" * 5000,
    "'; DROP TABLE users; --", "%", "*", "../../etc/passwd", "2026-13-45", "9999-12-31",
]  # fmt: skip

numbers = st.one_of(st.integers(), st.sampled_from(HUGE), st.floats(allow_nan=True, allow_infinity=True))
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=20))
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), children, max_size=5),
    ),
    max_leaves=12,
)
bodies = st.one_of(
    json_values.map(json.dumps),  # Python writes NaN, Infinity and 10**400 as the JSON text they are
    st.sampled_from(RAW_BODIES),
    st.binary(max_size=30).map(lambda raw: raw.decode("latin-1")),
)
query_values = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.integers().map(str),
    st.sampled_from(HUGE).map(str),
    st.text(max_size=12),
)
queries = st.dictionaries(
    st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=6)), query_values, max_size=4
)
ids = st.one_of(st.integers(min_value=0, max_value=6), st.sampled_from([2**31, 2**63 - 1, 2**63, 10**30]))
words = st.one_of(
    st.sampled_from(["course-a", "video-course", "x", "%2e%2e"]), st.text(min_size=1, max_size=10)
)

ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def fill(rule: str, draw=None) -> str:
    """The rule's path with each argument drawn (ids for int, one of the items for any, else text),
    or the first row's id, the first item and "x" without ``draw``."""

    def argument(match: re.Match) -> str:
        converter, options = match.group(1), match.group(2)
        items = [item.strip() for item in (options or "").split(",")]
        if converter == "int":
            return str(draw(ids)) if draw else "1"
        if converter == "any":
            return draw(st.sampled_from(items)) if draw else items[0]
        return (draw(words).replace("/", "_") or "x") if draw else "x"

    return ARGUMENT.sub(argument, rule)


def routes(app, api: bool) -> list[tuple[str, str]]:
    """(rule, method) for every /api/v1 route (api) or every page read with GET (not api)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/v1") != api:
            continue
        methods = (
            sorted(rule.methods - {"HEAD", "OPTIONS"}) if api else ["GET"] if "GET" in rule.methods else []
        )
        found.extend((rule.rule, method) for method in methods)
    return sorted(found)


@pytest.fixture
def app_config() -> dict:
    """Heartbeats past the rate limit would get 429 before the reader sees them."""
    return {"PROGRESS_HEARTBEAT_RATE_LIMIT": "10000 per minute"}


@pytest.fixture
def site(app, world):
    """Every role's account, and a video lesson, a reading lesson and an open quiz attempt to aim at."""
    with app.app_context():
        make_user("auditor", (Role.AUDITOR,), unit_path=None)
        make_user("reviewer", (Role.REVIEWER, Role.MEMBER), "甲党委")
        make_video_lesson(duration=100)
        lesson_of(make_course("reading-course"), "reading")
        attempts.start_attempt(make_quiz(), user_named("member_a"))
    return app


def signed_in(app, username: str):
    client = app.test_client()
    AuthActions(client).login(username)
    return client, csrf_token(client, "/")


def check(response, what: str) -> None:
    with response:  # closes a streamed file (a poster, a video) as the server would
        assert response.status_code < 500, f"{what} answered {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_generated_bodies_and_queries_never_make_the_api_answer_5xx(site, role):
    client, token = signed_in(site, ROLES[role])
    api_routes = routes(site, api=True)
    assert len(api_routes) >= 10

    def send(rule: str, method: str, body: str, query: dict, draw, content_type="application/json"):
        path = fill(rule, draw) + ("?" + urlencode(query) if query else "")
        response = client.open(
            path, method=method, data=body.encode("utf-8", "surrogatepass"), content_type=content_type,
            headers={"X-CSRFToken": token},
        )  # fmt: skip
        check(response, f"{method} {path} with {body[:80]!r}")

    for rule, method in api_routes:
        for body in WORST_BODIES:
            send(rule, method, body, {"year": "9" * 30, "page": "9" * 30}, None)

    @SETTINGS
    @given(route=st.sampled_from(api_routes), body=bodies, query=queries, data=st.data(), form=st.booleans())
    def hostile(route, body, query, data, form):
        rule, method = route
        content_type = "application/x-www-form-urlencoded" if form else "application/json"
        send(rule, method, body, query, data.draw, content_type)

    hostile()


@pytest.mark.parametrize("role", ROLES)
def test_generated_page_numbers_and_filters_never_make_a_page_answer_5xx(site, role):
    client, _token = signed_in(site, ROLES[role])
    pages = routes(site, api=False)
    assert len(pages) >= 50

    def visit(rule: str, query: dict, draw):
        path = fill(rule, draw) + ("?" + urlencode(query) if query else "")
        check(client.get(path), f"GET {path}")

    worst = {name: "9" * 30 for name in PARAMETERS}
    for rule, _method in pages:
        visit(rule, worst, None)

    @SETTINGS
    @given(page=st.sampled_from(pages), query=queries, data=st.data())
    def hostile(page, query, data):
        visit(page[0], query, data.draw)

    hostile()
