"""Fixtures for the library tests; their builders are in tests/factories/library.py."""

import pytest

from app.library import index


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
