"""SQL injection through every search box and filter: the strings are matched as text, never run.

Queries go through SQLAlchemy with bound parameters (LIKE patterns with ``%``, ``_`` and ``\\``
escaped); the whoosh query has its own cases in tests/library/test_search.py.
"""

from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from tests.factories.courses import make_course

INJECTIONS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "1; DROP TABLE users; --",
    "') UNION SELECT username, password_hash FROM users --",
    "%",
    "_",
    "\\",
    "%' --",
    "1 AND SLEEP(5)",
    "$(whoami)",
    "\x00",
]

SEARCHES = [
    ("/courses/", "q"),
    ("/courses/", "tag"),
    ("/media/videos", "q"),
    ("/library/search", "q"),
    ("/library/", "collection"),
    ("/audit/", "actor"),
    ("/audit/", "action"),
    ("/audit/", "object_type"),
    ("/audit/", "since"),
]


@pytest.mark.parametrize("injection", INJECTIONS)
def test_injections_in_every_search_box_and_filter_are_plain_text(app, client, auth, world, injection):
    with app.app_context():
        make_course("dangzhang", "党章学习入门")
        users = db.session.scalar(select(func.count(User.id)))
    auth.login("admin")
    problems = []
    for path, name in SEARCHES:
        response = client.get(f"{path}?{urlencode({name: injection})}")
        page = response.get_data(as_text=True)
        if response.status_code not in (200, 400):
            problems.append(f"{path}?{name}: {response.status_code}")
        if "scrypt:" in page:  # what a leaked password hash would start with
            problems.append(f"{path}?{name}: hashes in the page")
    assert problems == []
    # Nothing matched everything: the course is not found by an injection (a NUL alone is dropped,
    # leaving an empty query that lists every course), and nothing was dropped.
    catalogue = client.get(f"/courses/?{urlencode({'q': injection})}").get_data(as_text=True)
    assert ("党章学习入门" in catalogue) is (injection == "\x00")
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == users


def test_the_unit_report_year_must_be_a_number(client, auth, world):
    auth.login("sec_a")
    for year in ("2026 OR 1=1", "2026'--", "-1", "99999"):
        response = client.get(f"/reports/units/{world.unit_a1}?{urlencode({'year': year})}")
        assert response.status_code in (200, 400), year
