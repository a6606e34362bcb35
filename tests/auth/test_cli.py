"""`flask users create` and friends, as scripts call them."""

from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db


def test_users_create_with_several_roles_in_a_unit(app, runner):
    runner.invoke(args=["org", "add", "机关党委/第一党支部"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "wangfang",
            "--password",
            "river-tea-mountain",
            "--role",
            "member",
            "--role",
            "secretary",
            "--unit",
            "机关党委/第一党支部",
            "--name",
            "王芳",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "wangfang"))
        assert user.display_name == "王芳"
        assert user.roles == {Role.MEMBER, Role.SECRETARY}
        secretary_grant = next(g for g in user.role_grants if g.role is Role.SECRETARY)
        assert secretary_grant.unit_id == user.unit_id


def test_users_create_refuses_a_weak_password_and_creates_nothing(app, runner):
    runner.invoke(args=["org", "add", "机关党委"])
    result = runner.invoke(
        args=["users", "create", "weak", "--password", "123", "--role", "member", "--unit", "机关党委"]
    )
    assert result.exit_code != 0
    assert "10" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "weak")) is None


def test_users_create_names_a_missing_unit(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "x1",
            "--password",
            "river-tea-mountain",
            "--role",
            "member",
            "--unit",
            "无此党委",
        ]
    )
    assert result.exit_code != 0
    assert "无此党委" in result.output


def test_a_member_account_needs_a_unit(app, runner):
    result = runner.invoke(
        args=["users", "create", "x2", "--password", "river-tea-mountain", "--role", "member"]
    )
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "x2")) is None


def test_an_e_mail_address_is_set_checked_and_cleared(app, runner, world):
    result = runner.invoke(args=["users", "set-email", "sec_a", "sec_a@example.org"])
    assert result.exit_code == 0 and "sec_a@example.org" in result.output
    result = runner.invoke(args=["users", "set-email", "sec_a", "not an address"])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.get(User, world.sec_a).email == "sec_a@example.org"  # the bad one changed nothing
    assert runner.invoke(args=["users", "set-email", "sec_a", ""]).exit_code == 0
    with app.app_context():
        assert db.session.get(User, world.sec_a).email is None
    assert runner.invoke(args=["users", "set-email", "nobody", "x@example.org"]).exit_code != 0
