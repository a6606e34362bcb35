"""Who sees which units and members: a secretary's grant covers their unit and below, no more."""

import pytest

from tests.web import csrf_token


@pytest.mark.parametrize(
    ("username", "unit", "status"),
    [
        ("admin", "committee_a", 200),
        ("admin", "unit_b1", 200),
        ("sec_a", "unit_a1", 200),
        ("sec_a", "unit_a2", 404),  # sibling branch
        ("sec_a", "unit_a", 404),  # the general branch above
        ("sec_a", "unit_b1", 404),  # another committee
        ("sec_b", "unit_b1", 200),
        ("sec_b", "unit_a1", 404),
        ("member_a", "unit_a1", 403),
        ("trainer", "unit_a1", 403),
    ],
)
def test_unit_pages_are_scoped(world, client, auth, username, unit, status):
    auth.login(username)
    assert client.get(f"/org/units/{getattr(world, unit)}").status_code == status


@pytest.mark.parametrize(
    ("username", "member", "status"),
    [
        ("member_a", "member_a", 200),  # one's own profile
        ("member_a", "member_a2", 404),
        ("sec_a", "member_a", 200),
        ("sec_a", "member_a2", 404),
        ("sec_a", "member_b", 404),
        ("sec_b", "member_a", 404),
        ("admin", "member_b", 200),
    ],
)
def test_member_profiles_are_scoped(world, client, auth, username, member, status):
    auth.login(username)
    assert client.get(f"/org/members/{getattr(world, member)}").status_code == status


def test_a_secretary_sees_only_their_subtree_and_members(world, client, auth):
    auth.login("sec_a")
    tree = client.get("/org/").get_data(as_text=True)
    assert "第一党支部" in tree
    assert "乙党委" not in tree and "第二党支部" not in tree
    unit_page = client.get(f"/org/units/{world.unit_a1}").get_data(as_text=True)
    assert "甲党员" in unit_page and "乙党员" not in unit_page
    assert '<span class="badge badge-secretary">书记</span>' in unit_page


def test_a_secretary_export_contains_only_their_members(world, client, auth):
    auth.login("sec_a")
    exported = client.get("/org/roster/export.csv").get_data().decode("utf-8-sig")
    assert "member_a," in exported
    assert "member_b" not in exported and "member_a2" not in exported


def test_a_secretary_cannot_change_a_unit_outside_their_subtree(world, client, auth):
    auth.login("sec_a")
    token = csrf_token(client, f"/org/units/{world.unit_a1}")
    response = client.post(f"/org/units/{world.unit_b1}/rename", data={"name": "改名", "csrf_token": token})
    assert response.status_code == 404
    auth.logout()
    auth.login("sec_b")
    assert "改名" not in client.get(f"/org/units/{world.unit_b1}").get_data(as_text=True)


def test_a_secretary_cannot_move_their_member_out_of_their_subtree(world, client, auth):
    auth.login("sec_a")
    token = csrf_token(client, f"/org/members/{world.member_a}")
    response = client.post(
        f"/org/members/{world.member_a}/move", data={"unit_id": world.unit_b1, "csrf_token": token}
    )
    assert response.status_code == 302
    profile = client.get(f"/org/members/{world.member_a}").get_data(as_text=True)
    assert "乙党委" not in profile


def test_members_cannot_reach_the_roster_pages(world, client, auth):
    auth.login("member_a")
    assert client.get("/org/roster/import").status_code == 403
    assert client.get("/org/roster/export.xlsx").status_code == 403


def test_only_admins_create_top_level_units(world, client, auth):
    auth.login("sec_a")
    token = csrf_token(client, f"/org/units/{world.unit_a1}")
    assert client.post("/org/units", data={"name": "新党委", "csrf_token": token}).status_code == 403
