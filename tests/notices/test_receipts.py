"""Read and acknowledgement receipts per unit, and reminders for those who have not."""

from sqlalchemy import select

from app.extensions import db
from app.notices.models import NoticeReceipt, NoticeReminder
from tests.factories.auth import make_user
from tests.factories.notices import make_notice
from tests.web import csrf_token


def unit_row(page: str, unit_id: int) -> dict[str, int]:
    row = page.split(f'data-testid="unit-row" data-unit-id="{unit_id}"')[1].split("</tr>")[0]
    cells = {}
    for key in ("members", "read", "acknowledged"):
        if f'data-testid="{key}">' in row:
            cells[key] = int(row.split(f'data-testid="{key}">')[1].split("<")[0])
    return cells


def test_the_sender_sees_read_and_acknowledged_counts_per_unit(app, client, auth, world):
    with app.app_context():
        make_user("member_a3", unit_path="甲党委/机关党总支/第一党支部")
        notice_id = make_notice("sec_ca", world.unit_a, requires_ack=True).id
    auth.login("member_a")
    client.get(f"/notices/{notice_id}")
    token = csrf_token(client, f"/notices/{notice_id}")
    client.post(f"/notices/{notice_id}/acknowledge", data={"csrf_token": token})
    auth.logout()
    auth.login("member_a2")
    client.get(f"/notices/{notice_id}")
    auth.logout()
    auth.login("sec_ca")
    page = client.get(f"/notices/{notice_id}/receipts").get_data(as_text=True)
    # 第一党支部: sec_a, member_a, member_a3; 第二党支部: member_a2.
    assert unit_row(page, world.unit_a1) == {"members": 3, "read": 1, "acknowledged": 1}
    assert unit_row(page, world.unit_a2) == {"members": 1, "read": 1, "acknowledged": 0}
    assert 'data-testid="total-read">2<' in page and 'data-testid="total-acknowledged">1<' in page
    pending = [part.split('"')[0] for part in page.split('data-username="')[1:]]
    assert pending == ["member_a3", "sec_a", "member_a2"]


def test_opening_twice_keeps_one_receipt_with_the_first_time(app, client, auth, world):
    with app.app_context():
        notice_id = make_notice("sec_a", world.unit_a1).id
    auth.login("member_a")
    client.get(f"/notices/{notice_id}")
    with app.app_context():
        first = db.session.scalar(select(NoticeReceipt.read_at))
    client.get(f"/notices/{notice_id}")
    with app.app_context():
        assert list(db.session.scalars(select(NoticeReceipt.read_at))) == [first]


def test_a_manager_above_opening_a_notice_is_not_counted_as_a_reader(app, client, auth, world):
    with app.app_context():
        notice_id = make_notice("sec_ca", world.unit_a2).id  # sec_ca sits in 甲党委, above the audience
    auth.login("sec_ca")
    assert client.get(f"/notices/{notice_id}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(NoticeReceipt)) is None


def test_the_sender_reminds_those_who_have_not_read_and_they_see_it(app, client, auth, world):
    with app.app_context():
        notice_id = make_notice("sec_ca", world.unit_a).id
    auth.login("member_a")
    client.get(f"/notices/{notice_id}")
    auth.logout()
    auth.login("sec_ca")
    token = csrf_token(client, f"/notices/{notice_id}/receipts")
    client.post(f"/notices/{notice_id}/remind", data={"csrf_token": token})
    with app.app_context():
        reminded = set(db.session.scalars(select(NoticeReminder.user_id)))
        assert reminded == {world.sec_a, world.member_a2}
    auth.logout()
    auth.login("member_a2")
    assert 'data-testid="reminded"' in client.get("/notices/").get_data(as_text=True)


def test_members_cannot_see_receipts_or_send_reminders(app, client, auth, world):
    with app.app_context():
        notice_id = make_notice("sec_a", world.unit_a1).id
    auth.login("member_a")
    assert client.get(f"/notices/{notice_id}/receipts").status_code == 404
    token = csrf_token(client, f"/notices/{notice_id}")
    assert client.post(f"/notices/{notice_id}/remind", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(NoticeReminder)) is None


def test_acknowledging_a_notice_that_asks_for_none_changes_nothing(app, client, auth, world):
    with app.app_context():
        notice_id = make_notice("sec_a", world.unit_a1, requires_ack=False).id
    auth.login("member_a")
    token = csrf_token(client, f"/notices/{notice_id}")
    client.post(f"/notices/{notice_id}/acknowledge", data={"csrf_token": token})
    with app.app_context():
        assert db.session.scalar(select(NoticeReceipt.acknowledged_at)) is None


def test_the_list_of_sent_notices_shows_how_many_have_read_each(app, client, auth, world):
    with app.app_context():
        committee = make_notice("sec_ca", world.committee_a, title="党委通知").id
        branch = make_notice("sec_ca", world.unit_a2, title="支部通知").id
    auth.login("member_a2")
    client.get(f"/notices/{committee}")
    client.get(f"/notices/{branch}")
    auth.logout()
    auth.login("sec_ca")
    page = client.get("/notices/sent").get_data(as_text=True)
    totals = {
        int(part.split('"')[0]): part.split('data-testid="read-total">')[1].split("<")[0].strip()
        for part in page.split('<tr data-notice-id="')[1:]
    }
    # 甲党委: trainer, sec_ca, sec_a, member_a, member_a2; 第二党支部: member_a2.
    assert totals == {committee: "1/5", branch: "1/1"}
