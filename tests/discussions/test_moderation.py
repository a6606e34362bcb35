"""Reports and moderation: soft hide and delete with a reason, in the audit log, threads stay whole."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.discussions import services
from app.discussions.models import Post, PostReport, PostStatus
from app.extensions import db
from tests.factories.discussions import make_post, make_reply
from tests.web import csrf_token


def moderate(client, page: str, post_id: int, action: str, reason: str):
    return client.post(
        f"/discussions/posts/{post_id}/moderate",
        data={"action": action, "reason": reason, "csrf_token": csrf_token(client, page)},
    )


def test_a_member_reports_a_post_once_and_the_trainer_sees_it(app, client, auth, course_world):
    with app.app_context():
        post_id = make_post("member_a2", course_world.lesson, "广告内容").id
    auth.login("member_a")
    page = f"/discussions/posts/{post_id}/report"
    for _attempt in range(2):
        client.post(page, data={"reason": "广告", "csrf_token": csrf_token(client, page)})
    with app.app_context():
        assert db.session.query(PostReport).count() == 1
    auth.logout()
    auth.login("trainer")
    overview = client.get("/discussions/questions").get_data(as_text=True)
    assert f'data-testid="report" data-post-id="{post_id}"' in overview and "广告" in overview


def test_hiding_a_post_keeps_its_replies_in_place_and_is_audited(app, client, auth, course_world):
    with app.app_context():
        root = make_post("member_a", course_world.lesson, "不当言论").id
        make_reply("member_a2", root, "后面的回复")
        make_reply("member_b", root, "又一条回复")
    auth.login("member_b")
    client.post(
        f"/discussions/posts/{root}/report",
        data={"reason": "不当", "csrf_token": csrf_token(client, course_world.lesson_url)},
    )
    auth.logout()
    auth.login("trainer")
    assert moderate(client, course_world.lesson_url, root, "hide", "违反讨论规则").status_code == 302
    with app.app_context():
        post = db.session.get(Post, root)
        assert post.status is PostStatus.HIDDEN and post.moderation_reason == "违反讨论规则"
        assert post.body == "不当言论"  # soft: the text is kept
        [event] = db.session.scalars(select(AuditEvent))
        assert (event.action, event.object_type, event.object_id) == (
            "discussion.post.hide",
            "discussion_post",
            str(root),
        )
        assert event.actor_id == course_world.trainer and event.detail["reason"] == "违反讨论规则"
        assert db.session.scalar(select(PostReport.resolved_at)) is not None
    auth.logout()
    auth.login("member_a2")
    html = client.get(course_world.lesson_url).get_data(as_text=True)
    assert 'data-testid="post-hidden"' in html and "不当言论" not in html
    assert html.index('data-testid="post-hidden"') < html.index("后面的回复") < html.index("又一条回复")
    page = f"/discussions/posts/{root}/reply"
    assert client.get(page).status_code == 404  # the hidden text is not shown on the reply page either
    client.post(page, data={"body": "还想回复", "csrf_token": csrf_token(client, course_world.lesson_url)})
    with app.app_context():
        assert db.session.scalar(select(Post).where(Post.body == "还想回复")) is None


def test_a_deleted_post_without_replies_disappears_and_one_with_replies_leaves_a_marker(
    app, client, auth, course_world
):
    with app.app_context():
        lonely = make_post("member_a", course_world.lesson, "孤立的帖子").id
        busy = make_post("member_a", course_world.lesson, "有回复的帖子").id
        make_reply("member_a2", busy, "回复仍在")
    auth.login("admin")
    moderate(client, course_world.lesson_url, lonely, "delete", "重复")
    moderate(client, course_world.lesson_url, busy, "delete", "违规")
    html = client.get(course_world.lesson_url).get_data(as_text=True)
    assert "孤立的帖子" not in html and "有回复的帖子" not in html
    assert html.count('data-testid="post-deleted"') == 1 and "回复仍在" in html
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions == ["discussion.post.delete", "discussion.post.delete"]
        assert db.session.get(Post, lonely).status is PostStatus.DELETED


def test_moderation_without_a_reason_changes_nothing(app, client, auth, course_world):
    with app.app_context():
        post_id = make_post("member_a", course_world.lesson, "帖子").id
    auth.login("trainer")
    moderate(client, course_world.lesson_url, post_id, "hide", "")
    with app.app_context():
        assert db.session.get(Post, post_id).status is PostStatus.VISIBLE
        assert db.session.query(AuditEvent).count() == 0


def test_a_hidden_post_can_be_restored(app, client, auth, course_world):
    with app.app_context():
        post_id = make_post("member_a", course_world.lesson, "误伤的帖子").id
    auth.login("trainer")
    moderate(client, course_world.lesson_url, post_id, "hide", "待核实")
    moderate(client, course_world.lesson_url, post_id, "restore", "核实无误")
    with app.app_context():
        assert db.session.get(Post, post_id).status is PostStatus.VISIBLE
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions == ["discussion.post.hide", "discussion.post.restore"]


def test_hiding_the_accepted_answer_opens_the_question_again(app, client, auth, course_world):
    with app.app_context():
        question = make_post("member_a", course_world.lesson, "问题", is_question=True).id
        answer = make_reply("member_a2", question, "错误的答案")
        services.accept_answer(answer)
        answer_id = answer.id
    auth.login("trainer")
    moderate(client, course_world.lesson_url, answer_id, "hide", "答案有误")
    with app.app_context():
        assert db.session.get(Post, question).is_open_question
    assert f'data-post-id="{question}"' in client.get("/discussions/questions").get_data(as_text=True)
