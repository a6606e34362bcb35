"""Fixtures for the library tests; their builders are in tests/factories/library.py."""

import pytest

from app.auth.models import Role
from app.library import index
from tests.factories.auth import make_user


@pytest.fixture(autouse=True)
def close_searchers():
    """Each test has its own index folder: close this process's searchers after it."""
    yield
    index.close_all()


@pytest.fixture
def search_json(client):
    def run(**params):
        response = client.get("/api/v1/library/search", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    return run


@pytest.fixture
def people(app):
    """Two trainers (alice, bob) who may each change only their own documents, and an admin."""
    with app.app_context():
        make_user("alice", (Role.TRAINER, Role.MEMBER))
        make_user("bob", (Role.TRAINER, Role.MEMBER))
        make_user("admin", (Role.ADMIN,), unit_path=None)
