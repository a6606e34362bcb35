"""Notices reach a unit and everything below it, and nobody else; editing keeps the history."""

from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.notices.models import Notice, NoticeAttachment, NoticeRevision
from tests.courses.test_markup import FORBIDDEN, XSS_PAYLOADS
from tests.factories.notices import PDF, PNG, make_notice, publish_form
from tests.web import csrf_token


def inbox_ids(client) -> list[int]:
    page = client.get("/notices/").get_data(as_text=True)
    return [int(part.split('"')[0]) for part in page.split('data-testid="notice" data-notice-id="')[1:]]


def test_a_committee_notice_reaches_every_branch_below_and_nobody_else(app, client, auth, world):
    with app.app_context():
        notice_id = make_notice("sec_ca", world.committee_a).id
    for username in ("member_a", "member_a2", "sec_a", "sec_ca"):
        auth.login(username)
        assert inbox_ids(client) == [notice_id], username
        auth.logout()
    auth.login("member_b")
    assert inbox_ids(client) == []
    assert client.get(f"/notices/{notice_id}").status_code == 404


def test_a_branch_notice_is_not_readable_by_a_sibling_branch(app, client, auth, world):
    with app.app_context():
        notice = make_notice("sec_a", world.unit_a1, uploads=[])
        notice_id = notice.id
    auth.login("member_a2")  # 第二党支部, a sibling of 第一党支部
    assert inbox_ids(client) == []
    assert client.get(f"/notices/{notice_id}").status_code == 404
    assert client.get(f"/notices/{notice_id}/receipts").status_code == 404


@pytest.mark.parametrize(
    ("username", "unit", "published"),
    [
        ("sec_a", "unit_a1", True),
        ("sec_ca", "unit_a2", True),
        ("admin", "committee_b", True),
        ("sec_a", "unit_a2", False),
        ("sec_a", "committee_a", False),
        ("sec_a", "committee_b", False),
        ("sec_b", "unit_a1", False),
    ],
)
def test_secretaries_publish_only_to_their_unit_and_below(
    app, client, auth, world, username, unit, published
):
    auth.login(username)
    response = publish_form(client, unit_id=str(getattr(world, unit)), title="发布测试")
    assert response.status_code == (302 if published else 200)
    with app.app_context():
        assert (db.session.scalar(select(Notice)) is not None) is published


def test_members_cannot_publish(app, client, auth, world):
    auth.login("member_a")
    assert client.get("/notices/new").status_code == 403
    token = csrf_token(client, "/notices/")
    assert (
        client.post(
            "/notices/new", data={"csrf_token": token, "title": "x", "unit_id": str(world.unit_a1)}
        ).status_code
        == 403
    )
    assert 'data-testid="new-notice"' not in client.get("/notices/").get_data(as_text=True)


def test_unread_notices_are_counted_in_the_navigation_until_opened(app, client, auth, world):
    with app.app_context():
        first = make_notice("sec_ca", world.committee_a, title="第一份").id
        make_notice("sec_a", world.unit_a1, title="第二份")
    auth.login("member_a")
    page = client.get("/notices/").get_data(as_text=True)
    assert 'data-testid="nav-unread-notices">2<' in page
    client.get(f"/notices/{first}")
    page = client.get("/notices/").get_data(as_text=True)
    assert 'data-testid="nav-unread-notices">1<' in page
    assert f'data-notice-id="{first}" data-unread="no"' in page


def test_editing_a_notice_keeps_its_history_and_shows_it_was_edited(app, client, auth, world):
    with app.app_context():
        notice_id = make_notice("sec_ca", world.committee_a, title="原标题", body="原正文").id
    auth.login("sec_ca")
    page = f"/notices/{notice_id}/edit"
    assert 'value="原标题"' in client.get(page).get_data(as_text=True)
    client.post(page, data={"title": "新标题", "body": "新正文", "csrf_token": csrf_token(client, page)})
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        assert (notice.title, notice.version, notice.was_edited) == ("新标题", 2, True)
        revisions = list(db.session.scalars(select(NoticeRevision).order_by(NoticeRevision.number)))
        assert [(r.number, r.title, r.body) for r in revisions] == [
            (1, "原标题", "原正文"),
            (2, "新标题", "新正文"),
        ]
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions == ["notice.publish", "notice.edit"]
    auth.logout()
    auth.login("member_a")
    html = client.get(f"/notices/{notice_id}").get_data(as_text=True)
    assert 'data-testid="edited"' in html and 'data-testid="history"' in html and "原正文" in html


def test_a_member_cannot_edit_a_notice(app, client, auth, world):
    with app.app_context():
        notice_id = make_notice("sec_ca", world.committee_a, title="原标题").id
    auth.login("member_a")
    page = f"/notices/{notice_id}/edit"
    token = csrf_token(client, f"/notices/{notice_id}")
    assert client.post(page, data={"title": "篡改", "csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Notice, notice_id).title == "原标题"


def test_image_and_pdf_attachments_are_stored_by_content_and_served_to_readers(app, client, auth, world):
    auth.login("sec_a")
    response = publish_form(client, unit_id=str(world.unit_a1), files=[("议程.png", PNG), ("材料.pdf", PDF)])
    assert response.status_code == 302
    with app.app_context():
        notice = db.session.scalar(select(Notice))
        files = {a.filename: a for a in notice.attachments}
        assert set(files) == {"议程.png", "材料.pdf"}
        stored = Path(app.config["MEDIA_ROOT"]) / "notices" / files["议程.png"].stored_name
        assert stored.read_bytes() == PNG
        notice_id, pdf_id = notice.id, files["材料.pdf"].id
    auth.logout()
    auth.login("member_a")
    served = client.get(f"/notices/{notice_id}/files/{pdf_id}")
    assert served.status_code == 200 and served.mimetype == "application/pdf" and served.data == PDF
    served.close()
    auth.logout()
    auth.login("member_b")
    assert client.get(f"/notices/{notice_id}/files/{pdf_id}").status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.png", b"<html><script>alert(1)</script></html>"),
        ("icon.png", b"<svg onload=alert(1)>"),
        ("big.pdf", PDF + b"0" * 2048),
    ],
)
def test_a_file_that_is_not_an_image_or_pdf_or_too_large_is_refused(app, client, auth, world, name, content):
    app.config["NOTICE_ATTACHMENT_MAX_BYTES"] = 1024
    auth.login("sec_a")
    response = publish_form(client, unit_id=str(world.unit_a1), files=[(name, content)])
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Notice)) is None
        assert db.session.scalar(select(NoticeAttachment)) is None
    folder = Path(app.config["MEDIA_ROOT"]) / "notices"
    assert not folder.exists() or not any(folder.iterdir())


def test_no_script_survives_in_a_notice(app, client, auth, world):
    with app.app_context():
        notice_id = make_notice("sec_a", world.unit_a1, body="\n\n".join(XSS_PAYLOADS)).id
    auth.login("member_a")
    page = client.get(f"/notices/{notice_id}").get_data(as_text=True)
    start = page.index('data-testid="notice-body">')
    body = page[start : page.index("</article>", start)]
    for pattern in FORBIDDEN:
        assert not pattern.search(body), pattern.pattern


def test_unread_notices_appear_on_the_member_s_home_page_until_opened(app, client, auth, world):
    with app.app_context():
        notice_id = make_notice(title="关于集中收看的通知").id
    auth.login("member_a")
    assert "关于集中收看的通知" in client.get("/").get_data(as_text=True)
    client.get(f"/notices/{notice_id}")
    assert 'data-testid="unread-notices"' not in client.get("/").get_data(as_text=True)
