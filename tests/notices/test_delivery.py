"""A notice also reaches people by e-mail and through the units' group robots (企业微信 / 钉钉).

A real SMTP server (aiosmtpd) and a local HTTP server standing in for the robots' webhook endpoints
receive what the job queue sends; failed attempts are retried with a growing wait, then given up.
"""

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.notices import delivery
from app.notices.models import DeliveryChannel, DeliveryStatus, NoticeDelivery, RobotKind
from app.timeutil import utcnow
from tests.factories.notices import WebhookServer, make_notice, make_robot, publish_form
from tests.factories.reports import set_email
from tests.web import csrf_token

SECRET = "SEC0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def webhook() -> WebhookServer:
    server = WebhookServer().start()
    yield server
    server.stop()


@pytest.fixture
def robot_server(webhook) -> WebhookServer:
    webhook.reset()
    return webhook


@pytest.fixture
def app_config(webhook, smtp_server) -> dict:
    return {
        "NOTICE_ROBOT_URL_PREFIXES": webhook.prefixes,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server[0],
        "MAIL_DEFAULT_SENDER": "网上党校 <school@example.org>",
        "SITE_URL": "https://dangxiao.example.org",
    }


def deliveries() -> list[NoticeDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(NoticeDelivery).order_by(NoticeDelivery.id)))


def test_an_emailed_notice_reaches_every_addressee_with_an_address_and_nobody_else(
    app, client, auth, world, mailbox
):
    with app.app_context():
        set_email("member_a", "a@example.org")
        set_email("member_a2", "a2@example.org")
        set_email("member_b", "b@example.org")  # 乙党委: not an addressee
    auth.login("sec_ca")
    response = publish_form(
        client,
        unit_id=str(world.committee_a),
        title="关于学习的通知",
        body="请**按时**学习。",
        send_email="y",
    )
    assert response.status_code == 302
    assert len(mailbox.messages) == 1
    message, envelope = mailbox.messages[0], mailbox.envelopes[0]
    assert sorted(envelope.rcpt_tos) == ["a2@example.org", "a@example.org"]
    assert "a@example.org" not in str(message["To"])  # addressees do not see each other
    assert message["Subject"] == "通知：关于学习的通知"
    text = message.get_content()
    assert "请**按时**学习。" in text and "https://dangxiao.example.org/notices/" in text
    with app.app_context():
        [sent] = deliveries()
        assert (sent.channel, sent.status, sent.attempts) == (DeliveryChannel.EMAIL, DeliveryStatus.SENT, 1)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-channel="email" data-status="sent"' in page
    notice_page = client.get(response.headers["Location"].replace("/receipts", "")).get_data(as_text=True)
    assert "电子邮件 · 2 位收件人 · 已发送" in notice_page


def _signature_ok(request) -> bool:
    timestamp, sign = request.query["timestamp"], request.query["sign"]
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    return sign == base64.b64encode(digest).decode()  # parse_qsl has undone the URL encoding


def test_a_signed_dingtalk_robot_is_retried_with_a_growing_wait_until_it_accepts(app, world, robot_server):
    robot_server.script = [(500, {}), (200, {"errcode": 310000, "errmsg": "sign not match"})]
    with app.app_context():
        make_robot(world.unit_a1, RobotKind.DINGTALK, robot_server.prefixes["dingtalk"] + "token-a1", SECRET)
        start = utcnow()
        make_notice("sec_a", world.unit_a1, title="支部会议通知", robots=True)
        [first] = deliveries()
        assert (first.status, first.attempts, first.last_error) == (DeliveryStatus.PENDING, 1, "HTTP 500")
        assert timedelta(seconds=55) < first.next_attempt_at - start < timedelta(seconds=65)
        assert delivery.retry_due(start + timedelta(seconds=30)) == 0  # not due yet: nothing sent
        assert len(robot_server.requests) == 1

        first_due = first.next_attempt_at
        assert delivery.retry_due(first_due) == 1
        [second] = deliveries()
        assert (second.status, second.attempts) == (DeliveryStatus.PENDING, 2)
        assert second.last_error == "errcode 310000: sign not match"
        wait = second.next_attempt_at - first_due
        assert timedelta(seconds=115) < wait < timedelta(seconds=125)  # doubled

        assert delivery.retry_due(second.next_attempt_at) == 1
        [done] = deliveries()
        assert (done.status, done.attempts, done.last_error) == (DeliveryStatus.SENT, 3, "")
        assert delivery.retry_due(utcnow() + timedelta(days=1)) == 0  # sent once only
    assert len(robot_server.requests) == 3
    for request in robot_server.requests:
        assert request.path == "/robot/send" and request.query["access_token"] == "token-a1"
        assert _signature_ok(request)
        assert request.body["msgtype"] == "markdown"
        assert request.body["markdown"]["title"] == "支部会议通知"
        assert request.body["markdown"]["text"].startswith("### 支部会议通知")


def test_a_wecom_robot_that_keeps_failing_is_given_up_and_can_be_sent_again(
    app, client, auth, world, robot_server
):
    app.config["NOTICE_DELIVERY_ATTEMPTS"] = 2
    robot_server.script = [(502, {}), (200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    with app.app_context():
        make_robot(world.unit_a1, RobotKind.WECOM, robot_server.prefixes["wecom"] + "key-a1")
        notice_id = make_notice("sec_a", world.unit_a1, title="学习提醒", robots=True).id
        [pending] = deliveries()
        delivery.retry_due(pending.next_attempt_at)
        [failed] = deliveries()
        assert (failed.status, failed.attempts, failed.next_attempt_at) == (DeliveryStatus.FAILED, 2, None)
        assert delivery.retry_due(utcnow() + timedelta(days=1)) == 0
    wecom = robot_server.requests[0]
    assert wecom.query == {"key": "key-a1"} and "timestamp" not in wecom.query  # WeCom does not sign
    assert wecom.body["msgtype"] == "markdown" and "### 学习提醒" in wecom.body["markdown"]["content"]

    auth.login("sec_a")
    page = client.get(f"/notices/{notice_id}/receipts").get_data(as_text=True)
    assert 'data-channel="wecom" data-status="failed"' in page and "invalid webhook url" in page
    token = csrf_token(client, f"/notices/{notice_id}/receipts")
    client.post(f"/notices/{notice_id}/deliveries/{failed.id}/retry", data={"csrf_token": token})
    with app.app_context():
        [again] = deliveries()
        assert (again.status, again.attempts) == (DeliveryStatus.SENT, 1)
        retried = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notice.delivery.retry"))
        assert retried.detail["last_error"] == "errcode 93000: invalid webhook url"
    assert len(robot_server.requests) == 3


def test_robots_hear_the_notices_of_their_unit_and_the_units_above_only(app, world, robot_server):
    with app.app_context():
        make_robot(world.unit_a2, RobotKind.WECOM, robot_server.prefixes["wecom"] + "key-a2")
        make_robot(world.unit_b1, RobotKind.WECOM, robot_server.prefixes["wecom"] + "key-b1")
        make_notice("sec_a", world.unit_a1, robots=True)  # a sibling branch's notice
        assert deliveries() == []
        make_notice("sec_ca", world.committee_a, robots=True)
        assert [d.target for d in deliveries()] == ["第二党支部"]
    assert [request.query["key"] for request in robot_server.requests] == ["key-a2"]


def test_a_secretary_sets_up_a_robot_and_never_sees_its_credentials_again(
    app, client, auth, world, robot_server
):
    auth.login("sec_a")
    url = f"/notices/robots/{world.unit_a1}/dingtalk"
    full_url = robot_server.prefixes["dingtalk"] + "abcdefgh-secret-token-zyxw"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "webhook_url": full_url,
            "secret": SECRET,
            "enabled": "y",
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "abcdefgh-secret-token-zyxw" not in page and SECRET not in page
    assert "abcd…zyxw" in page
    # Saving again with empty fields keeps the stored credentials.
    client.post(
        url, data={"csrf_token": csrf_token(client, url), "webhook_url": "", "secret": "", "enabled": "y"}
    )
    with app.app_context():
        from app.notices.models import GroupRobot

        robot = db.session.scalar(select(GroupRobot))
        assert (robot.webhook_url, robot.secret) == (full_url, SECRET)
        details = [
            event.detail
            for event in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "notice.robot.save")
            )
        ]
        assert details and all(SECRET not in str(detail) and "token" not in str(detail) for detail in details)


@pytest.mark.parametrize(
    "bad_url",
    ["https://evil.example/robot/send?access_token=x", "http://127.0.0.1:6379/", "javascript:alert(1)", ""],
)
def test_a_webhook_elsewhere_than_the_platform_is_refused(app, client, auth, world, bad_url):
    auth.login("sec_a")
    url = f"/notices/robots/{world.unit_a1}/dingtalk"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "webhook_url": bad_url})
    assert response.status_code == 200
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notice.robot.save")) is None


@pytest.mark.parametrize(
    ("username", "unit", "status"),
    [
        ("sec_a", "unit_a1", 200),
        ("sec_ca", "unit_a1", 200),
        ("sec_a", "unit_a2", 404),
        ("sec_b", "unit_a1", 404),
        ("member_a", "unit_a1", 404),
    ],
)
def test_only_the_units_secretaries_configure_its_robots(client, auth, world, username, unit, status):
    auth.login(username)
    assert client.get(f"/notices/robots/{getattr(world, unit)}/wecom").status_code == status


def test_deliver_due_from_the_command_line_makes_the_due_retries(app, runner, world, robot_server):
    robot_server.script = [(500, {})]
    with app.app_context():
        make_robot(world.unit_a1, RobotKind.WECOM, robot_server.prefixes["wecom"] + "key-a1")
        make_notice("sec_a", world.unit_a1, robots=True)
        [pending] = deliveries()
        pending.next_attempt_at = utcnow()  # the wait is over
        db.session.commit()
    result = runner.invoke(args=["notices", "deliver-due"])
    assert result.exit_code == 0 and "1 delivery attempt(s) made" in result.output
    with app.app_context():
        assert [(d.status, d.attempts) for d in deliveries()] == [(DeliveryStatus.SENT, 2)]
