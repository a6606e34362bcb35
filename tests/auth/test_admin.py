"""What an admin does to accounts, and that nobody else can."""

import pytest

from app.auth.models import User
from app.extensions import db
from tests.web import AuthActions, csrf_token


@pytest.mark.parametrize(
    ("username", "status"),
    [("admin", 200), ("sec_a", 403), ("trainer", 403), ("member_a", 403)],
)
def test_only_admins_see_the_account_list(world, client, auth, username, status):
    auth.login(username)
    assert client.get("/admin/users").status_code == status


def test_the_account_list_shows_roles_in_chinese(world, client, auth):
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<span class="badge badge-secretary">书记</span>' in page
    assert '<span class="badge badge-admin">管理员</span>' in page


def test_admin_resets_a_password_and_the_owner_is_signed_out(app, world, client, auth):
    owner = app.test_client()
    AuthActions(owner).login("member_a")
    auth.login("admin")
    page = f"/admin/users/{world.member_a}/password"
    response = client.post(
        page, data={"new_password": "reset-by-admin-2026", "csrf_token": csrf_token(client, page)}
    )
    assert response.status_code == 302
    assert owner.get("/").status_code == 302
    assert AuthActions(app.test_client()).login("member_a", "reset-by-admin-2026").status_code == 302


def test_a_reset_to_a_weak_password_is_refused(app, world, client, auth):
    auth.login("admin")
    page = f"/admin/users/{world.member_a}/password"
    response = client.post(page, data={"new_password": "1234567890", "csrf_token": csrf_token(client, page)})
    assert "过于常见" in response.get_data(as_text=True)
    assert AuthActions(app.test_client()).login("member_a").status_code == 302


def test_admin_deactivates_an_account_and_its_sessions_end(app, world, client, auth):
    owner = app.test_client()
    AuthActions(owner).login("member_a")
    auth.login("admin")
    response = client.post(
        f"/admin/users/{world.member_a}/active", data={"csrf_token": csrf_token(client, "/admin/users")}
    )
    assert response.status_code == 302
    assert owner.get("/").status_code == 302
    with app.app_context():
        assert db.session.get(User, world.member_a).active is False


def test_deactivation_without_csrf_token_changes_nothing(app, world, client, auth):
    auth.login("admin")
    assert client.post(f"/admin/users/{world.member_a}/active").status_code == 400
    with app.app_context():
        assert db.session.get(User, world.member_a).active is True


def test_a_secretary_cannot_reset_passwords(world, client, auth):
    auth.login("sec_a")
    page = f"/admin/users/{world.member_a}/password"
    assert client.get(page).status_code == 403
