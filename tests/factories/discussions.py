"""Builders for discussion tests: posts written through the services, the discussed courses' lessons."""

from sqlalchemy import select

from app.courses.models import Course, Lesson
from app.discussions import services
from app.discussions.models import Post
from app.extensions import db
from tests.factories import courses
from tests.factories.auth import user_named
from tests.web import csrf_token

POST_LIMIT = 5

# The discussed courses' lessons: two five-minute text lessons.
LESSONS = courses.text_lessons(2, minutes=5)


def first_lesson(course: Course) -> Lesson:
    return course.modules[0].current_lessons[0]


def make_post(
    author: str = "member_a", lesson_id: int | None = None, body: str = "我的体会", **options
) -> Post:
    lesson = db.session.get(Lesson, lesson_id)
    return services.create_post(user_named(author), lesson, body, **options)


def make_reply(author: str, post_id: int, body: str = "回复", quote: bool = False) -> Post:
    return services.reply_to(user_named(author), db.session.get(Post, post_id), body, quote=quote)


def post_form(client, lesson_id: int, body: str, page: str, question: bool = False):
    data = {"body": body, "csrf_token": csrf_token(client, page)}
    if question:
        data["is_question"] = "y"
    return client.post(f"/discussions/lessons/{lesson_id}/posts", data=data)


def posts_by(username: str) -> list[Post]:
    user = user_named(username)
    return list(db.session.scalars(select(Post).where(Post.author_id == user.id).order_by(Post.id)))
