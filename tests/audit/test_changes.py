"""Staff changes made through the site are in the audit log without a word in each service."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.auth.passwords import password_matches
from app.extensions import db
from app.org.models import OrgUnit
from tests.factories.auth import PASSWORD
from tests.web import csrf_token

NEW_PASSWORD = "another-long-passphrase"


def events(app) -> list[tuple[str, str, int | None, dict]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.object_id, AuditEvent.actor_id, AuditEvent.detail).order_by(
                AuditEvent.id
            )
        )
        return [tuple(row) for row in rows]


def test_a_secretary_s_unit_changes_are_recorded_with_who_and_what(app, world, client, auth):
    auth.login("sec_a")
    token = csrf_token(client, f"/org/units/{world.unit_a1}")
    client.post(f"/org/units/{world.unit_a1}/children", data={"name": "学习小组", "csrf_token": token})
    client.post(f"/org/units/{world.unit_a1}/rename", data={"name": "第一支部", "csrf_token": token})
    with app.app_context():
        group = db.session.scalar(select(OrgUnit).where(OrgUnit.name == "学习小组"))
    assert events(app) == [
        ("org_unit.create", str(group.id), world.sec_a, {}),
        ("org_unit.update", str(world.unit_a1), world.sec_a, {"changed": ["name"]}),
    ]


def test_an_admin_s_password_reset_names_the_column_but_never_stores_the_hash(app, world, client, auth):
    auth.login("admin")
    page = f"/admin/users/{world.member_a}/password"
    client.post(page, data={"new_password": NEW_PASSWORD, "csrf_token": csrf_token(client, page)})
    [(action, object_id, actor_id, detail)] = events(app)
    assert (action, object_id, actor_id) == ("user.update", str(world.member_a), world.admin)
    assert "password_hash" in detail["changed"]
    with app.app_context():
        new_hash = db.session.get(User, world.member_a).password_hash
    assert new_hash not in str(detail)


def test_a_member_s_own_sign_in_and_password_change_are_not_staff_actions(app, world, client, auth):
    auth.login("member_a")
    page = "/account/password"
    client.post(
        page,
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(client, page),
        },
    )
    with app.app_context():
        assert password_matches(db.session.get(User, world.member_a).password_hash, NEW_PASSWORD)
    assert events(app) == []


def test_a_refused_change_leaves_no_event(app, world, client, auth):
    auth.login("sec_a")
    token = csrf_token(client, f"/org/units/{world.unit_a1}")
    response = client.post(
        f"/org/units/{world.unit_b1}/rename", data={"name": "别人的支部", "csrf_token": token}
    )
    assert response.status_code == 404
    assert events(app) == []
