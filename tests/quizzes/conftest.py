"""Fixtures for the quizzes tests; their builders are in tests/factories/quizzes.py."""

import pytest

from app.auth.models import Role
from tests.factories.auth import make_user


@pytest.fixture
def people(app):
    with app.app_context():
        trainer = make_user("trainer", (Role.TRAINER, Role.MEMBER), "甲党委")
        member = make_user("member", (Role.MEMBER,), "甲党委/第一党支部", name="甲党员")
        other = make_user("other", (Role.MEMBER,), "甲党委/第一党支部", name="乙党员")
        return {"trainer": trainer.id, "member": member.id, "other": other.id}
