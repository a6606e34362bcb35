"""A unit's group robots (企业微信 / 钉钉): their configuration, and the messages they are sent.

Both platforms take a JSON POST to the robot's webhook address and answer ``{"errcode": 0, ...}``
when the message is accepted (any other errcode is a refusal, even with HTTP 200):

- 企业微信 group robot: ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<key>``, body
  ``{"msgtype": "markdown", "markdown": {"content": ...}}`` (at most 4096 bytes of UTF-8). The key in
  the address is the only credential: it does not sign.
- 钉钉 custom robot: ``https://oapi.dingtalk.com/robot/send?access_token=<token>``, body
  ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``. With 加签 turned on (a secret
  starting with ``SEC``) each request carries ``&timestamp=<ms>&sign=<s>``, where ``s`` is the
  URL-encoded base64 of HMAC-SHA256(key=secret, message=timestamp + "\\n" + secret).

The webhook address and the secret are credentials: pages show them masked (:func:`masked`), the
audit log records only that they changed. A webhook must start with the configured prefix of its
kind (``NOTICE_ROBOT_URL_PREFIXES``), so nobody can point a robot at a server inside the network.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record_audit
from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.notices.models import GroupRobot, RobotKind
from app.org.models import OrgUnit
from app.timeutil import utcnow

MAX_URL = 500
MAX_SECRET = 200
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_CHARS = 5000


def robot_names() -> dict[RobotKind, str]:
    return {RobotKind.WECOM: _("WeCom group robot"), RobotKind.DINGTALK: _("DingTalk group robot")}


def masked(value: str, keep: int = 4) -> str:
    """A credential as pages show it: its first and last few characters only."""
    if not value:
        return ""
    if len(value) <= keep * 2:
        return "•" * len(value)
    return f"{value[:keep]}…{value[-keep:]}"


def masked_url(robot: GroupRobot) -> str:
    """The webhook address with its key or access token masked."""
    prefix = url_prefix(robot.kind)
    if robot.webhook_url.startswith(prefix):
        return prefix + masked(robot.webhook_url[len(prefix) :])
    return masked(robot.webhook_url, keep=12)


def url_prefix(kind: RobotKind) -> str:
    prefixes: dict[str, str] = current_app.config["NOTICE_ROBOT_URL_PREFIXES"]
    return prefixes[kind.value]


def robots_of(unit: OrgUnit) -> dict[RobotKind, GroupRobot | None]:
    found = {
        robot.kind: robot
        for robot in db.session.scalars(select(GroupRobot).where(GroupRobot.unit_id == unit.id))
    }
    return {kind: found.get(kind) for kind in RobotKind}


def robots_by_unit(unit_ids: list[int]) -> dict[tuple[int, RobotKind], GroupRobot]:
    if not unit_ids:
        return {}
    rows = db.session.scalars(select(GroupRobot).where(GroupRobot.unit_id.in_(unit_ids)))
    return {(robot.unit_id, robot.kind): robot for robot in rows}


@dataclass
class RobotFields:
    webhook_url: str = ""  # blank: keep the stored one
    secret: str = ""  # blank: keep the stored one
    clear_secret: bool = False
    enabled: bool = True


def _checked_url(kind: RobotKind, url: str) -> str:
    url = url.strip()
    prefix = url_prefix(kind)
    if len(url) > MAX_URL:
        raise DomainError(_("The webhook address can be at most %(count)d characters long.", count=MAX_URL))
    if not url.startswith(prefix) or len(url) == len(prefix) or any(char.isspace() for char in url):
        raise DomainError(
            _(
                "The webhook address of a %(robot)s starts with %(prefix)s followed by its key.",
                robot=robot_names()[kind],
                prefix=prefix,
            )
        )
    return url


def save_robot(actor: User, unit: OrgUnit, kind: RobotKind, fields: RobotFields) -> GroupRobot:
    """Set up or change a unit's robot of one kind; blank credentials keep the stored ones."""
    robot = robots_of(unit)[kind]
    url = fields.webhook_url.strip()
    if robot is None and not url:
        raise DomainError(_("Paste the robot's webhook address."))
    secret = fields.secret.strip()
    if len(secret) > MAX_SECRET:
        raise DomainError(_("The secret can be at most %(count)d characters long.", count=MAX_SECRET))
    if secret and kind is RobotKind.WECOM:
        raise DomainError(_("A WeCom group robot does not sign its messages: leave the secret empty."))
    url = _checked_url(kind, url) if url or robot is None else robot.webhook_url
    if robot is None:
        robot = GroupRobot(unit_id=unit.id, kind=kind, webhook_url=url, secret="")
        db.session.add(robot)
    changed = {"url": url != robot.webhook_url}
    robot.webhook_url = url
    if fields.clear_secret:
        changed["secret"] = bool(robot.secret)
        robot.secret = ""
    elif secret:
        changed["secret"] = secret != robot.secret
        robot.secret = secret
    robot.enabled = bool(fields.enabled)
    robot.updated_by_id, robot.updated_at = actor.id, utcnow()
    db.session.flush()
    # Never the credentials themselves: only that they changed.
    record_audit(
        actor,
        "notice.robot.save",
        "org_unit",
        unit.id,
        {
            "kind": kind.value,
            "enabled": robot.enabled,
            "url_changed": changed["url"],
            "secret_changed": changed.get("secret", False),
        },
    )
    db.session.commit()
    return robot


def remove_robot(actor: User, robot: GroupRobot) -> None:
    record_audit(actor, "notice.robot.remove", "org_unit", robot.unit_id, {"kind": robot.kind.value})
    db.session.delete(robot)
    db.session.commit()


# --- sending ------------------------------------------------------------------------------------


class RobotRefused(Exception):
    """The webhook could not be reached, or the platform refused the message (the text says why)."""


def _truncated_utf8(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


def payload(kind: RobotKind, title: str, markdown: str) -> dict[str, object]:
    """The JSON body each platform documents for a Markdown message."""
    if kind is RobotKind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": _truncated_utf8(markdown, WECOM_MAX_BYTES)}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown[:DINGTALK_MAX_CHARS]}}


def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    """钉钉加签: URL-encoded base64 of HMAC-SHA256 over "timestamp\\nsecret", keyed by the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(robot: GroupRobot, now_ms: int | None = None) -> str:
    if robot.kind is not RobotKind.DINGTALK or not robot.secret:
        return robot.webhook_url
    timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
    return f"{robot.webhook_url}&timestamp={timestamp}&sign={dingtalk_signature(robot.secret, timestamp)}"


def post_to_robot(robot: GroupRobot, title: str, markdown: str) -> None:
    """Send one Markdown message; raise :class:`RobotRefused` with a readable reason on failure."""
    body = json.dumps(payload(robot.kind, title, markdown), ensure_ascii=False).encode()
    request = urllib.request.Request(
        signed_url(robot),
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(
            request, timeout=current_app.config["NOTICE_WEBHOOK_TIMEOUT"]
        ) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as error:
        raise RobotRefused(f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:  # the address never names the key in these
        reason = getattr(error, "reason", error)
        raise RobotRefused(f"connection failed: {reason}") from error
    try:
        result = json.loads(answer)
    except ValueError as error:
        raise RobotRefused("the answer is not JSON") from error
    if not isinstance(result, dict) or result.get("errcode") != 0:
        errcode = result.get("errcode") if isinstance(result, dict) else None
        errmsg = result.get("errmsg", "") if isinstance(result, dict) else ""
        raise RobotRefused(f"errcode {errcode}: {str(errmsg)[:200]}")
