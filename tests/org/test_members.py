"""Members' places in the tree and the history of their transfers (组织关系转接)."""

from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.org import services
from app.org.models import ChangeSource, MembershipChange
from tests.web import csrf_token


def test_a_transfer_is_recorded_and_shown_on_the_profile(app, world, client, auth):
    auth.login("admin")
    token = csrf_token(client, f"/org/members/{world.member_a}")
    response = client.post(
        f"/org/members/{world.member_a}/move",
        data={"unit_id": world.unit_b1, "reason": "工作调动", "csrf_token": token},
    )
    assert response.status_code == 302
    with app.app_context():
        member = db.session.get(User, world.member_a)
        assert member.unit_id == world.unit_b1
        history = services.membership_history(member)
        assert [change.source for change in history] == [ChangeSource.TRANSFER, ChangeSource.CREATED]
        assert history[0].from_unit_id == world.unit_a1 and history[0].reason == "工作调动"
        assert history[0].changed_by_id == world.admin
    profile = client.get(f"/org/members/{world.member_a}").get_data(as_text=True)
    assert "工作调动" in profile and "第一党支部" in profile


def test_history_survives_later_moves(app, world):
    with app.app_context():
        member = db.session.get(User, world.member_a)
        admin = db.session.get(User, world.admin)
        for unit_id in (world.unit_a2, world.unit_b1, world.unit_a1):
            services.move_member(member, db.session.get(services.OrgUnit, unit_id), admin)
        moves = db.session.scalars(
            select(MembershipChange)
            .where(MembershipChange.user_id == member.id)
            .order_by(MembershipChange.id)
        ).all()
        assert [m.to_unit_id for m in moves] == [world.unit_a1, world.unit_a2, world.unit_b1, world.unit_a1]


def test_a_secretary_adds_a_member_to_their_branch(app, world, client, auth):
    auth.login("sec_a")
    page = f"/org/units/{world.unit_a1}/members/new"
    response = client.post(
        page,
        data={
            "display_name": "新党员",
            "username": "new_member",
            "roles": ["member"],
            "password": "first-day-password",
            "csrf_token": csrf_token(client, page),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(select(User).where(User.username == "new_member"))
        assert created.unit_id == world.unit_a1 and created.roles == {Role.MEMBER}


def test_a_secretary_cannot_grant_the_admin_role(app, world, client, auth):
    auth.login("sec_a")
    page = f"/org/units/{world.unit_a1}/members/new"
    client.post(
        page,
        data={
            "display_name": "越权",
            "username": "sneaky",
            "roles": ["admin"],
            "password": "first-day-password",
            "csrf_token": csrf_token(client, page),
        },
    )
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "sneaky")) is None
