"""Each bearer token's requests share one budget across the API, apart from other tokens'."""

import pytest

from tests.auth.test_tokens import bearer, issue


@pytest.fixture
def app_config() -> dict:
    return {"RATELIMIT_API_TOKEN": "5 per minute"}


def test_each_token_has_its_own_rate_limit(app, world, client):
    first = issue(client, device="手机").get_json()["token"]
    second = issue(client, device="平板").get_json()["token"]
    api = app.test_client()
    statuses = [api.get("/api/v1/me", headers=bearer(first)).status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    assert api.get("/api/v1/me", headers=bearer(second)).status_code == 200
