"""Members discuss a lesson under it: posts, replies, quotes, sanitised Markdown, a rate limit."""

import pytest

from app.discussions.models import Post
from app.extensions import db
from tests.courses.test_markup import FORBIDDEN, XSS_PAYLOADS
from tests.factories.discussions import POST_LIMIT, make_post, make_reply, post_form, posts_by
from tests.web import csrf_token


def discussion_html(page: str) -> str:
    start = page.index('data-testid="discussion"')
    return page[start : page.index("</section>", start)]


def segments(page: str, start_marker: str, end_marker: str) -> list[str]:
    """The pieces of a page written by members (post bodies), without the page's own forms."""
    found, position = [], 0
    while (start := page.find(start_marker, position)) != -1:
        end = page.index(end_marker, start)
        found.append(page[start + len(start_marker) : end])
        position = end
    return found


def assert_no_script(pieces: list[str]) -> None:
    assert pieces
    for piece in pieces:
        for pattern in FORBIDDEN:
            assert not pattern.search(piece), f"{pattern.pattern!r} in {piece!r}"


def test_a_member_posts_under_a_lesson_and_sees_it_rendered(app, client, auth, course_world):
    auth.login("member_a")
    response = post_form(client, course_world.lesson, "**学习**党章的体会", course_world.lesson_url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(course_world.lesson_url)
    page = client.get(course_world.lesson_url).get_data(as_text=True)
    assert "<strong>学习</strong>党章的体会" in discussion_html(page)
    assert "甲党员" in discussion_html(page)
    with app.app_context():
        [post] = posts_by("member_a")
        assert post.lesson_id == course_world.lesson and not post.is_question


def test_an_empty_post_is_refused_and_nothing_is_stored(app, client, auth, course_world):
    auth.login("member_a")
    post_form(client, course_world.lesson, "   ", course_world.lesson_url)
    with app.app_context():
        assert posts_by("member_a") == []


def test_a_reply_joins_the_thread_and_replying_to_a_reply_quotes_it(app, client, auth, course_world):
    with app.app_context():
        root = make_post("member_a", course_world.lesson, "第一帖").id
        first_reply = make_reply("member_a2", root, "第一条回复").id
    auth.login("trainer")
    page = f"/discussions/posts/{first_reply}/reply"
    response = client.post(
        page, data={"body": "回复你的回复", "quote": "1", "csrf_token": csrf_token(client, page)}
    )
    assert response.status_code == 302
    with app.app_context():
        [reply] = posts_by("trainer")
        assert reply.parent_id == root and reply.quoted_id == first_reply
    html = discussion_html(client.get(course_world.lesson_url).get_data(as_text=True))
    assert 'data-testid="post-quote"' in html and "第一条回复" in html
    assert html.index("第一帖") < html.index("第一条回复") < html.index("回复你的回复")


def test_quoting_a_first_post_records_the_quote(app, client, auth, course_world):
    with app.app_context():
        root = make_post("member_a", course_world.lesson, "原帖").id
    auth.login("member_a2")
    page = f"/discussions/posts/{root}/reply?quote=1"
    assert 'name="quote" value="1"' in client.get(page).get_data(as_text=True)
    client.post(page, data={"body": "引用", "quote": "1", "csrf_token": csrf_token(client, page)})
    with app.app_context():
        [reply] = posts_by("member_a2")
        assert reply.quoted_id == root and reply.parent_id == root


def test_no_script_survives_in_stored_and_rendered_posts(app, client, auth, course_world):
    with app.app_context():
        root = make_post("member_a", course_world.lesson, XSS_PAYLOADS[0]).id
        for payload in XSS_PAYLOADS[1:]:
            make_reply("member_a2", root, payload)
    auth.login("member_a")
    html = discussion_html(client.get(course_world.lesson_url).get_data(as_text=True))
    bodies = segments(html, 'data-testid="post-body">', '<div class="post-actions">')
    assert len(bodies) == len(XSS_PAYLOADS)
    assert_no_script(bodies)
    replies = client.get("/discussions/replies").get_data(as_text=True)
    assert_no_script(segments(replies, '<div class="prose">', "</article>"))


@pytest.mark.parametrize(
    "payload", ["<script>alert(1)</script>", "[x](javascript:alert(1))", "<img src=x onerror=alert(1)>"]
)
def test_a_script_posted_through_the_form_is_stored_as_text_and_never_runs(
    app, client, auth, course_world, payload
):
    auth.login("member_a")
    post_form(client, course_world.lesson, payload, course_world.lesson_url)
    with app.app_context():
        assert [post.body for post in posts_by("member_a")] == [
            payload
        ]  # kept as written, sanitised on output
    html = discussion_html(client.get(course_world.lesson_url).get_data(as_text=True))
    assert_no_script(segments(html, 'data-testid="post-body">', '<div class="post-actions">'))


def test_posting_is_rate_limited_per_member(app, client, auth, course_world):
    auth.login("member_a")
    for number in range(POST_LIMIT):
        assert (
            post_form(client, course_world.lesson, f"帖子{number}", course_world.lesson_url).status_code
            == 302
        )
    assert post_form(client, course_world.lesson, "太多了", course_world.lesson_url).status_code == 429
    with app.app_context():
        assert len(posts_by("member_a")) == POST_LIMIT
    auth.logout()
    auth.login("member_a2")  # another member, same address: their own budget
    assert post_form(client, course_world.lesson, "我的帖子", course_world.lesson_url).status_code == 302
    with app.app_context():
        assert len(posts_by("member_a2")) == 1


def test_a_lesson_without_posts_invites_the_first_one(client, auth, course_world):
    auth.login("member_b")
    page = client.get(course_world.lesson_url).get_data(as_text=True)
    assert 'data-testid="no-posts"' in page and 'data-testid="new-post"' in page


def test_anonymous_visitors_cannot_post(app, client, course_world):
    token = csrf_token(client, "/login")
    response = client.post(
        f"/discussions/lessons/{course_world.lesson}/posts", data={"body": "匿名", "csrf_token": token}
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.query(Post).count() == 0
