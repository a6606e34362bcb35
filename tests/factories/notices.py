"""Builders for notice tests: notices published through the services by the ``world`` secretaries."""

import io
from datetime import date

from app.extensions import db
from app.notices import services
from app.notices.models import Notice
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
) -> Notice:
    sender_user = user_named(sender)
    unit = db.session.get(OrgUnit, unit_id) if unit_id else sender_user.unit
    fields = services.NoticeFields(title, body, deadline, requires_ack)
    return services.publish_notice(sender_user, unit, fields, list(uploads))


def publish_form(client, **fields):
    data = {"csrf_token": csrf_token(client, "/notices/new"), "title": "通知", "body": "正文", **fields}
    files = data.pop("files", [])
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/notices/new", data=data, content_type="multipart/form-data")
