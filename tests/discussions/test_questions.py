"""Questions to the course's trainers: answers, acceptance, the trainer's overview, unread replies."""

from app.discussions import services
from app.discussions.models import Post
from app.extensions import db
from tests.factories.courses import make_course
from tests.factories.discussions import LESSONS, first_lesson, make_post, make_reply, post_form
from tests.web import csrf_token


def test_a_trainer_answers_a_question_and_accepts_it(app, client, auth, course_world):
    auth.login("member_a")
    post_form(client, course_world.lesson, "入党誓词有几句？", course_world.lesson_url, question=True)
    with app.app_context():
        question = db.session.scalar(db.select(Post))
        assert question.is_question and question.is_open_question
        question_id = question.id
    auth.logout()
    auth.login("trainer")
    page = f"/discussions/posts/{question_id}/reply"
    client.post(page, data={"body": "共八十字。", "csrf_token": csrf_token(client, page)})
    with app.app_context():
        answer_id = db.session.scalar(db.select(Post.id).where(Post.parent_id == question_id))
    token = csrf_token(client, course_world.lesson_url)
    assert (
        client.post(f"/discussions/posts/{answer_id}/accept", data={"csrf_token": token}).status_code == 302
    )
    with app.app_context():
        question = db.session.get(Post, question_id)
        assert question.accepted_answer_id == answer_id and question.accepted_at is not None
    html = client.get(course_world.lesson_url).get_data(as_text=True)
    assert 'data-testid="accepted"' in html


def test_the_asker_may_accept_an_answer_but_not_their_own_reply(app, client, auth, course_world):
    with app.app_context():
        question = make_post("member_a", course_world.lesson, "问题", is_question=True).id
        own = make_reply("member_a", question, "补充").id
        answer = make_reply("member_a2", question, "我来答").id
    auth.login("member_a")
    token = csrf_token(client, course_world.lesson_url)
    client.post(f"/discussions/posts/{own}/accept", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Post, question).accepted_answer_id is None
    client.post(f"/discussions/posts/{answer}/accept", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Post, question).accepted_answer_id == answer


def test_the_overview_lists_open_questions_in_the_trainers_courses_oldest_first(
    app, client, auth, course_world
):
    with app.app_context():
        older = make_post("member_a", course_world.lesson, "较早的问题", is_question=True).id
        newer = make_post("member_b", course_world.lesson, "较新的问题", is_question=True).id
        make_post("member_a2", course_world.lesson, "不是问题")
        answered = make_post("member_a2", course_world.lesson, "已解决", is_question=True).id
        services.accept_answer(make_reply("trainer", answered, "答"))
        other = make_course("other-course", owner="admin", lessons=LESSONS)
        elsewhere = make_post("member_a", first_lesson(other).id, "别的课的问题", is_question=True).id
    auth.login("trainer")
    page = client.get("/discussions/questions").get_data(as_text=True)
    assert 'data-testid="nav-questions"' in page
    listed = [
        int(part.split('"')[0]) for part in page.split('data-testid="open-question" data-post-id="')[1:]
    ]
    assert listed == [older, newer]
    auth.logout()
    auth.login("admin")
    page = client.get("/discussions/questions").get_data(as_text=True)
    listed = [
        int(part.split('"')[0]) for part in page.split('data-testid="open-question" data-post-id="')[1:]
    ]
    assert listed == [older, newer, elsewhere]


def test_a_member_sees_unread_replies_until_they_open_them(app, client, auth, course_world):
    with app.app_context():
        mine = make_post("member_a", course_world.lesson, "我的帖子").id
        make_reply("member_a", mine, "我自己补充")  # one's own replies are never "unread"
        make_reply("trainer", mine, "老师的回复")
        make_reply("member_a2", mine, "同志的回复")
    auth.login("member_a")
    page = client.get(course_world.lesson_url).get_data(as_text=True)
    assert 'data-testid="nav-unread-replies"' in page
    assert '<span class="badge">2</span>' in page.split('data-testid="nav-unread-replies"')[1][:200]
    replies = client.get("/discussions/replies").get_data(as_text=True)
    assert (
        replies.count('data-testid="unread"') == 2 and "老师的回复" in replies and "我自己补充" not in replies
    )
    assert 'data-testid="nav-unread-replies"' not in client.get(course_world.lesson_url).get_data(
        as_text=True
    )
    assert 'data-testid="unread"' not in client.get("/discussions/replies").get_data(as_text=True)


def test_a_pinned_thread_comes_first(app, client, auth, course_world):
    with app.app_context():
        make_post("member_a", course_world.lesson, "第一个帖子")
        later = make_post("member_a2", course_world.lesson, "置顶的帖子").id
    auth.login("trainer")
    client.post(
        f"/discussions/posts/{later}/pin", data={"csrf_token": csrf_token(client, course_world.lesson_url)}
    )
    html = client.get(course_world.lesson_url).get_data(as_text=True)
    assert html.index("置顶的帖子") < html.index("第一个帖子")
    assert 'data-testid="pinned"' in html
