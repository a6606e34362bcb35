"""Acting as a browser in tests: reading the CSRF token a page carries, signing in and out."""

import re

from tests.factories.auth import PASSWORD

CSRF_PATTERN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """Read the CSRF token a page carries, as a browser would."""
    page = client.get(path, follow_redirects=True)
    match = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str = "member", password: str = PASSWORD, remember: bool = False, **extra):
        data = {"username": username, "password": password, "csrf_token": csrf_token(self._client), **extra}
        if remember:
            data["remember"] = "y"
        return self._client.post("/login", data=data)

    def logout(self):
        return self._client.post("/logout", data={"csrf_token": csrf_token(self._client, "/")})
