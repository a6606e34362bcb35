"""Fixtures for the notices tests; their builders are in tests/factories/notices.py."""

import pytest

from app.auth.models import Role
from tests.factories.auth import make_user


@pytest.fixture(autouse=True)
def committee_secretary(app, world) -> int:
    """``sec_ca``: the secretary of 甲党委, who may publish to the whole committee."""
    with app.app_context():
        return make_user("sec_ca", (Role.SECRETARY, Role.MEMBER), "甲党委", name="甲党委书记").id
