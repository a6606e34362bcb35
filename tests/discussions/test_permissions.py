"""Who may post, accept, pin and moderate: refused actions answer 403/404 and change nothing."""

import pytest

from app.auth.models import Role
from app.courses.models import Lesson
from app.discussions.models import Post, PostStatus
from app.extensions import db
from tests.factories.auth import make_user
from tests.factories.discussions import make_post, make_reply, post_form, posts_by
from tests.web import csrf_token


def test_a_member_cannot_post_to_a_course_not_open_to_them(app, client, auth, course_world):
    auth.login("member_a")
    assert client.get(course_world.draft_url).status_code == 404
    token = csrf_token(client, course_world.lesson_url)
    response = client.post(
        f"/discussions/lessons/{course_world.draft_lesson}/posts",
        data={"body": "草稿课", "csrf_token": token},
    )
    assert response.status_code == 404
    with app.app_context():
        assert posts_by("member_a") == []


def test_the_draft_course_owner_sees_no_discussion_until_it_is_published(client, auth, course_world):
    auth.login("trainer")
    page = client.get(course_world.draft_url)
    assert page.status_code == 200 and 'data-testid="discussion"' not in page.get_data(as_text=True)


def test_a_post_in_a_course_not_open_to_a_member_is_hidden_from_them(app, client, auth, course_world):
    with app.app_context():
        lesson = db.session.get(Lesson, course_world.draft_lesson)
        post = Post(lesson=lesson, author_id=course_world.trainer, body="草稿讨论")
        db.session.add(post)
        db.session.commit()
        post_id = post.id
    auth.login("member_b")
    assert client.get(f"/discussions/posts/{post_id}/reply").status_code == 404
    assert client.get(f"/discussions/posts/{post_id}/report").status_code == 404


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("member_a", False),
        ("member_b", False),
        ("sec_a", False),
        ("trainer", True),  # the course's owner
        ("trainer_b", False),  # a trainer of other courses
        ("admin", True),
    ],
)
def test_only_the_course_s_trainers_and_admins_moderate_and_pin(
    app, client, auth, course_world, username, allowed
):
    with app.app_context():
        make_user("trainer_b", (Role.TRAINER, Role.MEMBER), "乙党委")
        post_id = make_post("member_a2", course_world.lesson, "要处理的帖子").id
    auth.login(username)
    token = csrf_token(client, course_world.lesson_url)
    hide = client.post(
        f"/discussions/posts/{post_id}/moderate",
        data={"action": "hide", "reason": "不当", "csrf_token": token},
    )
    pin = client.post(f"/discussions/posts/{post_id}/pin", data={"csrf_token": token})
    assert (hide.status_code, pin.status_code) == ((302, 302) if allowed else (403, 403))
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert (post.status is PostStatus.HIDDEN) is allowed
        assert (post.pinned_at is not None) is allowed
    page = client.get(course_world.lesson_url).get_data(as_text=True)
    assert (f"/discussions/posts/{post_id}/moderate" in page) is allowed  # the controls are theirs only


def test_a_member_cannot_accept_an_answer_to_someone_elses_question(app, client, auth, course_world):
    with app.app_context():
        question = make_post("member_a", course_world.lesson, "请问？", is_question=True).id
        answer = make_reply("trainer", question, "答复").id
    auth.login("member_a2")
    token = csrf_token(client, course_world.lesson_url)
    assert client.post(f"/discussions/posts/{answer}/accept", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(Post, question).accepted_answer_id is None


def test_members_do_not_get_the_question_overview(client, auth, course_world):
    auth.login("member_a")
    assert client.get("/discussions/questions").status_code == 403
    assert 'data-testid="nav-questions"' not in client.get(course_world.lesson_url).get_data(as_text=True)


def test_a_new_post_form_posted_without_the_csrf_token_is_refused(app, client, auth, course_world):
    auth.login("member_a")
    response = client.post(f"/discussions/lessons/{course_world.lesson}/posts", data={"body": "x"})
    assert response.status_code == 400
    with app.app_context():
        assert posts_by("member_a") == []


def test_post_form_helper_posts_as_the_signed_in_member(app, client, auth, course_world):
    auth.login("member_b")  # a member of another committee may study (and discuss) a published course
    assert post_form(client, course_world.lesson, "乙党委的体会", course_world.lesson_url).status_code == 302
    with app.app_context():
        assert len(posts_by("member_b")) == 1
