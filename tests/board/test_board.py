"""The branch board (支部园地): each unit's members talk among themselves; its secretaries moderate."""

import re

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.discussions.models import Post, PostReport, PostStatus
from app.extensions import db
from tests.factories.auth import make_user
from tests.factories.board import make_board_reply, make_topic
from tests.web import csrf_token


@pytest.mark.parametrize(
    ("username", "unit", "status"),
    [
        ("member_a", "unit_a1", 200),  # their own unit
        ("sec_a", "unit_a1", 200),
        ("admin", "unit_b1", 200),
        ("member_a", "unit_a2", 404),  # a sibling branch
        ("member_a2", "unit_a1", 404),
        ("sec_a", "unit_a2", 404),
        ("sec_b", "unit_a1", 404),  # another committee
        ("trainer", "unit_a1", 404),  # a member of 甲党委 itself, not of the branch
    ],
)
def test_members_open_their_own_units_board_and_secretaries_their_subtrees(
    client, auth, world, username, unit, status
):
    auth.login(username)
    assert client.get(f"/board/units/{getattr(world, unit)}").status_code == status


def test_a_members_topic_and_replies_are_seen_by_the_branch_only(app, client, auth, world):
    auth.login("member_a")
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="nav-board"' in home and "支部园地" in home
    assert client.get("/board/").headers["Location"].endswith(f"/board/units/{world.unit_a1}")
    page = f"/board/units/{world.unit_a1}"
    response = client.post(
        f"/board/units/{world.unit_a1}/topics",
        data={
            "csrf_token": csrf_token(client, page),
            "title": "七一活动安排",
            "body": "**周五**下午集中学习<script>alert(1)</script><img src=x onerror=alert(1)>",
        },
    )
    topic_url = response.headers["Location"]
    topic_page = client.get(topic_url).get_data(as_text=True)
    assert "七一活动安排" in topic_page and "<strong>周五</strong>" in topic_page
    assert "<script>alert(1)" not in topic_page and "onerror" not in topic_page
    post_id = int(topic_url.rsplit("/", 1)[1])
    with app.app_context():
        make_board_reply("sec_a", post_id, "收到，按时参加")
    listing = client.get(page).get_data(as_text=True)
    assert "七一活动安排" in listing and "1 条回复" in listing
    auth.logout()

    auth.login("member_a2")  # the sibling branch sees nothing of it
    assert client.get(topic_url).status_code == 404
    assert client.get(f"/board/posts/{post_id}/reply").status_code == 404
    assert "七一活动安排" not in client.get(f"/board/units/{world.unit_a2}").get_data(as_text=True)


def test_the_secretary_pins_and_hides_and_every_action_is_audited(app, client, auth, world):
    with app.app_context():
        older = make_topic("member_a", title="较早的话题").id
        newer = make_topic("member_a", title="较新的话题").id
        reply = make_board_reply("member_a", newer, "不当言论").id
    auth.login("member_a")  # a member may do neither
    token = csrf_token(client, f"/board/units/{world.unit_a1}")
    assert client.post(f"/board/posts/{older}/pin", data={"csrf_token": token}).status_code == 403
    assert (
        client.post(
            f"/board/posts/{reply}/moderate", data={"csrf_token": token, "action": "hide", "reason": "x"}
        ).status_code
        == 403
    )
    auth.logout()

    auth.login("sec_a")
    token = csrf_token(client, f"/board/units/{world.unit_a1}")
    client.post(f"/board/posts/{older}/pin", data={"csrf_token": token})
    client.post(
        f"/board/posts/{reply}/moderate", data={"csrf_token": token, "action": "hide", "reason": "与主题无关"}
    )
    client.post(
        f"/board/posts/{newer}/moderate", data={"csrf_token": token, "action": "hide", "reason": "重复"}
    )
    listing = client.get(f"/board/units/{world.unit_a1}").get_data(as_text=True)
    assert listing.index("较早的话题") < listing.index("较新的话题")  # pinned first
    assert 'data-status="hidden"' in listing  # the secretary still sees the hidden topic
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.object_id).order_by(AuditEvent.id)
        ).all()
        assert [(action, int(object_id)) for action, object_id in events] == [
            ("discussion.post.pin", older),
            ("discussion.post.hide", reply),
            ("discussion.post.hide", newer),
        ]
    auth.logout()

    auth.login("member_a")
    listing = client.get(f"/board/units/{world.unit_a1}").get_data(as_text=True)
    assert "较新的话题" not in listing and "较早的话题" in listing
    assert client.get(f"/board/topics/{newer}").status_code == 404


def test_a_reported_post_reaches_the_branch_secretary_and_moderating_it_resolves_the_report(
    app, client, auth, world
):
    with app.app_context():
        make_user("member_a3", (Role.MEMBER,), "甲党委/机关党总支/第一党支部", name="甲三党员")
        topic = make_topic("member_a", title="求助").id
    auth.login("member_a3")
    page = f"/board/posts/{topic}/report"
    client.post(page, data={"csrf_token": csrf_token(client, page), "reason": "广告"})
    auth.logout()
    auth.login("sec_a")
    listing = client.get(f"/board/units/{world.unit_a1}").get_data(as_text=True)
    assert 'data-testid="board-report"' in listing and "广告" in listing
    token = csrf_token(client, f"/board/units/{world.unit_a1}")
    client.post(
        f"/board/posts/{topic}/moderate", data={"csrf_token": token, "action": "delete", "reason": "广告"}
    )
    with app.app_context():
        assert db.session.get(Post, topic).status is PostStatus.DELETED
        assert db.session.scalar(select(PostReport)).resolved_at is not None
    assert 'data-testid="board-report"' not in client.get(f"/board/units/{world.unit_a1}").get_data(
        as_text=True
    )


def test_a_committee_secretary_chooses_among_the_boards_below(app, client, auth, world):
    with app.app_context():
        make_user("sec_ca", (Role.SECRETARY, Role.MEMBER), "甲党委", name="甲党委书记")
        make_topic("member_a2", title="第二支部的话题")
    auth.login("sec_ca")
    boards = client.get("/board/").get_data(as_text=True)
    for unit in ("unit_a1", "unit_a2", "committee_a"):
        assert f'data-unit-id="{getattr(world, unit)}"' in boards
    assert f'data-unit-id="{world.unit_b1}"' not in boards
    assert "第二支部的话题" in client.get(f"/board/units/{world.unit_a2}").get_data(as_text=True)


def test_an_empty_title_is_refused_with_a_message_and_nothing_is_saved(app, client, auth, world):
    auth.login("member_a")
    page = f"/board/units/{world.unit_a1}"
    response = client.post(
        f"/board/units/{world.unit_a1}/topics",
        data={"csrf_token": csrf_token(client, page), "title": "  ", "body": "正文"},
        follow_redirects=True,
    )
    assert "flash-error" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Post)) is None


def test_board_posts_are_out_of_reach_of_the_lesson_discussion_routes(app, client, auth, world):
    with app.app_context():
        topic = make_topic("member_a", title="园地话题").id
    auth.login("admin")  # even an admin: the lesson routes only know lesson posts
    token = csrf_token(client, "/")
    assert client.get(f"/discussions/posts/{topic}/reply").status_code == 404
    assert (
        client.post(
            f"/discussions/posts/{topic}/moderate",
            data={"csrf_token": token, "action": "hide", "reason": "x"},
        ).status_code
        == 404
    )


def test_replying_on_the_board_quotes_a_reply_and_returns_to_the_topic(app, client, auth, world):
    with app.app_context():
        topic = make_topic("member_a", title="学习计划").id
        first = make_board_reply("sec_a", topic, "第一条回复").id
    auth.login("member_a")
    page = f"/board/posts/{first}/reply"
    form = client.get(page).get_data(as_text=True)
    assert "支部园地：第一党支部" in form and "第一条回复" in form
    response = client.post(
        page, data={"csrf_token": csrf_token(client, page), "body": "我来补充", "quote": "1"}
    )
    assert response.headers["Location"].startswith(f"/board/topics/{topic}#post-")
    thread = client.get(f"/board/topics/{topic}").get_data(as_text=True)
    assert 'data-testid="post-quote"' in thread and "我来补充" in thread


@pytest.mark.parametrize(
    ("username", "entry"),
    [("member_a", "nav-board"), ("sec_a", "nav-boards"), ("admin", "nav-boards"), ("trainer", "nav-board")],
)
def test_members_find_their_board_in_the_navigation_and_secretaries_under_management(
    client, auth, world, username, entry
):
    auth.login(username)
    page = client.get("/").get_data(as_text=True)
    assert f'data-testid="{entry}"' in page
    other = "nav-boards" if entry == "nav-board" else "nav-board"
    assert f'data-testid="{other}"' not in page


def breadcrumb_links(page: str) -> list[str]:
    found = re.search(r'<nav class="breadcrumbs">(.*?)</nav>', page, re.S)
    assert found is not None, "the page has no breadcrumbs"
    return re.findall(r'href="([^"]+)"', found.group(1))


def test_the_breadcrumbs_lead_to_the_page_above_never_back_to_the_same_page(app, client, auth, world):
    with app.app_context():
        make_user("sec_ca", (Role.SECRETARY, Role.MEMBER), "甲党委", name="甲党委书记")
        topic = make_topic("member_a", title="学习计划").id
        reply = make_board_reply("sec_a", topic, "第一条回复").id
    board = f"/board/units/{world.unit_a1}"
    auth.login("member_a")  # one board: the boards page would open it again, so up is the home page
    assert client.get("/board/").headers["Location"].endswith(board)
    assert breadcrumb_links(client.get(board).get_data(as_text=True)) == ["/"]
    assert breadcrumb_links(client.get(f"/board/topics/{topic}").get_data(as_text=True)) == [board]
    assert breadcrumb_links(client.get(f"/board/posts/{reply}/reply").get_data(as_text=True)) == [
        board,
        f"/board/topics/{topic}",
    ]
    auth.logout()

    auth.login("sec_ca")  # several boards: up is the boards page to choose from
    assert breadcrumb_links(client.get(board).get_data(as_text=True)) == ["/board/"]
    assert breadcrumb_links(client.get(f"/board/topics/{topic}").get_data(as_text=True)) == [board]
