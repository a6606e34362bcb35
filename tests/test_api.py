"""JSON endpoints share the session and take the CSRF token from the X-CSRFToken header."""

from tests.web import csrf_token


def test_the_api_answers_401_in_json_when_signed_out(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.is_json and "error" in response.get_json()


def test_the_api_uses_the_sign_in_session(world, client, auth):
    auth.login("sec_a")
    me = client.get("/api/v1/me").get_json()
    assert me["username"] == "sec_a"
    assert me["roles"] == ["member", "secretary"]
    assert me["unit"]["path"] == "甲党委/机关党总支/第一党支部"


def test_a_json_post_needs_the_csrf_header(world, client, auth):
    auth.login("member_a")
    refused = client.post("/api/v1/me/locale", json={"locale": "en"})
    assert refused.status_code == 400 and refused.is_json
    accepted = client.post(
        "/api/v1/me/locale", json={"locale": "en"}, headers={"X-CSRFToken": csrf_token(client, "/")}
    )
    assert accepted.status_code == 200 and accepted.get_json() == {"locale": "en"}
    assert client.get("/api/v1/me").get_json()["locale"] == "en"


def test_a_bad_locale_gets_a_clear_json_error(world, client, auth):
    auth.login("member_a")
    response = client.post(
        "/api/v1/me/locale", json={"locale": "klingon"}, headers={"X-CSRFToken": csrf_token(client, "/")}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]
