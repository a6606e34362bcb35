"""Builders for notice tests: notices published through the services by the ``world`` secretaries."""

import io
import json
import threading
import urllib.parse
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.extensions import db
from app.notices import services
from app.notices.models import GroupRobot, Notice, RobotKind
from app.notices.robots import RobotFields, save_robot
from app.org.models import OrgUnit
from tests.factories.auth import user_named
from tests.web import csrf_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def make_notice(
    sender: str = "sec_a",
    unit_id: int | None = None,
    title: str = "关于开展主题党日活动的通知",
    body: str = "请各支部**按时**参加。",
    requires_ack: bool = False,
    deadline: date | None = None,
    uploads: list[services.Upload] = (),
    email: bool = False,
    robots: bool = False,
) -> Notice:
    sender_user = user_named(sender)
    unit = db.session.get(OrgUnit, unit_id) if unit_id else sender_user.unit
    fields = services.NoticeFields(title, body, deadline, requires_ack)
    return services.publish_notice(sender_user, unit, fields, list(uploads), email=email, robots=robots)


def publish_form(client, **fields):
    data = {"csrf_token": csrf_token(client, "/notices/new"), "title": "通知", "body": "正文", **fields}
    files = data.pop("files", [])
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/notices/new", data=data, content_type="multipart/form-data")


OK_ANSWER = (200, {"errcode": 0, "errmsg": "ok"})


@dataclass
class RobotRequest:
    path: str
    query: dict[str, str]
    body: dict


class WebhookServer:
    """A local HTTP server standing in for the 企业微信 / 钉钉 webhook endpoints.

    It records every POST (path, query, JSON body) and answers with the next scripted answer, then
    ``{"errcode": 0}`` once the script is used up.
    """

    def __init__(self):
        self.requests: list[RobotRequest] = []
        self.script: list[tuple[int, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                parsed = urllib.parse.urlsplit(self.path)
                server.requests.append(
                    RobotRequest(
                        parsed.path,
                        dict(urllib.parse.parse_qsl(parsed.query)),
                        json.loads(self.rfile.read(length)),
                    )
                )
                status, answer = server.script.pop(0) if server.script else OK_ANSWER
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._http.server_address[1]
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def start(self) -> "WebhookServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def reset(self) -> None:
        self.requests.clear()
        self.script.clear()

    @property
    def prefixes(self) -> dict[str, str]:
        base = f"http://127.0.0.1:{self.port}"
        return {
            "wecom": f"{base}/cgi-bin/webhook/send?key=",
            "dingtalk": f"{base}/robot/send?access_token=",
        }


def make_robot(unit_id: int, kind: RobotKind, url: str, secret: str = "", by: str = "admin") -> GroupRobot:
    fields = RobotFields(webhook_url=url, secret=secret)
    return save_robot(user_named(by), db.session.get(OrgUnit, unit_id), kind, fields)
