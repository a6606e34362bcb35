"""Acting as a browser in tests: reading the CSRF token a page carries, signing in and out; serving
the app on a real port for Chromium."""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

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


def buffered(app):
    """The app with each response body read whole (and its file closed) before it is sent.

    werkzeug's development server skips the response's close() when the browser has gone before the
    end (a video player cancelling a range request does), so an open media file would be left to the
    garbage collector, which pytest's warning filter turns into an error. gunicorn closes it.
    """

    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@contextmanager
def served(app) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
