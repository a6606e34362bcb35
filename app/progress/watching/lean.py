"""The lean heartbeat: a player's video heartbeat with its viewing token, answered beside Flask.

Every member watching sends a heartbeat every few seconds, so heartbeats are most of the site's
requests. The viewing token already says who sends it and for which lesson (viewing.py), and the
heartbeat's own read checks the rest, so such a request needs none of what a Flask request does
before its view runs (session cookie, CSRF, Flask-Login, the before/after hooks, URL matching):
together that costs more than the heartbeat's read and write.

This WSGI wrapper answers ``POST /api/v1/lessons/<id>/heartbeat`` carrying a viewing token itself,
with the same token check, rate-limit bucket, body reader, service and answers as the Flask view
(api.py). Whatever is not the plain case (a bad token, an unreadable body, an exhausted rate limit)
is handed to Flask as it came, and an error goes through Flask's own handling, so every refusal and
error answer has one source.
"""

import io
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from limits import parse as parse_limit
from werkzeug.http import HTTP_STATUS_CODES

from app.extensions import limiter
from app.inputs import MAX_JSON_BYTES, BadInput, loads
from app.progress.watching import heartbeats, viewing
from app.progress.watching.refusals import MAX_ID
from app.web import SECURITY_HEADERS

HEARTBEAT_PATH = re.compile(r"/api/v1/lessons/([0-9]{1,18})/heartbeat")
BEARER_VIEWING = f"Bearer {viewing.PREFIX}."

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class LeanHeartbeats:
    """Serve viewing-token heartbeats directly; pass every other request to ``flask_wsgi``."""

    def __init__(self, app: Flask, flask_wsgi: WSGIApp):
        self.app = app
        self.flask_wsgi = flask_wsgi

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        match = HEARTBEAT_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if (
            match is None
            or environ.get("REQUEST_METHOD") != "POST"
            or not environ.get("HTTP_AUTHORIZATION", "").startswith(BEARER_VIEWING)
        ):
            return self.flask_wsgi(environ, start_response)
        body = _read_body(environ)
        if body is None:
            return self.flask_wsgi(environ, start_response)
        try:
            answer = self._answer(environ["HTTP_AUTHORIZATION"][len("Bearer ") :], int(match[1]), body)
        except Exception as error:
            with self.app.request_context(environ):
                return self.app.handle_exception(error)(environ, start_response)
        if answer is None:
            environ["wsgi.input"] = io.BytesIO(body)  # Flask reads the body we already read
            return self.flask_wsgi(environ, start_response)
        status, payload = answer
        start_response(
            f"{status} {HTTP_STATUS_CODES[status]}",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(payload))),
                ("Cache-Control", "no-store"),
                *SECURITY_HEADERS.items(),
            ],
        )
        return [payload]

    def _answer(self, token: str, lesson_id: int, body: bytes) -> tuple[int, bytes] | None:
        """``(status, JSON)`` for a plain heartbeat; None for anything Flask must answer."""
        with self.app.app_context():
            claim = viewing.read(token)
            if claim is None or lesson_id > MAX_ID:
                return None
            if self.app.config.get("RATELIMIT_ENABLED", True):
                limit = parse_limit(self.app.config["PROGRESS_HEARTBEAT_RATE_LIMIT"])
                # The Flask view's bucket: the same key and shared scope (watching/limits.py: heartbeat_limit).
                if not limiter.limiter.hit(limit, f"member:{claim.user_id}", "heartbeat"):
                    return None
            try:
                payload = loads(body.decode("utf-8")) if body else None
            except (BadInput, UnicodeDecodeError):
                return None
            try:
                figures = heartbeats.heartbeat(
                    heartbeats.MemberRef(claim.user_id), lesson_id, payload, claim=claim
                )
            except heartbeats.HeartbeatRefused as refusal:
                return refusal.status, self.app.json.dumps({"error": refusal.reason}).encode() + b"\n"
            return 200, self.app.json.dumps(figures.as_json()).encode() + b"\n"


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The request body when its declared length is a heartbeat's; None otherwise."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 <= length <= MAX_JSON_BYTES or "json" not in environ.get("CONTENT_TYPE", ""):
        return None
    body: bytes = environ["wsgi.input"].read(length)
    return body


def install(app: Flask) -> None:
    app.wsgi_app = LeanHeartbeats(app, app.wsgi_app)  # type: ignore[method-assign]
