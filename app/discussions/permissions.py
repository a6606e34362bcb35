"""Who may read, post in and moderate which lesson discussions: the one place for these rules.

A lesson's discussion is open to whoever may open the lesson as a learner (app.courses.permissions)
while its course is published. The course's trainers moderate it: those who may edit the course
(its owner, when a trainer, and admins; app.courses.permissions.can_edit_course), never another
trainer. Lists are scoped in SQL by the same rules.
"""

from sqlalchemy import Select, false, select

from app.auth.models import Role, User
from app.courses.models import Course, CourseStatus, Lesson
from app.courses.permissions import can_edit_course, can_view_course, visible_courses
from app.discussions.models import Post


def can_read_discussion(user: User, lesson: Lesson) -> bool:
    return (
        user.is_authenticated
        and lesson.removed_at is None
        and lesson.course.status is CourseStatus.PUBLISHED
        and can_view_course(user, lesson.course)
    )


def can_post(user: User, lesson: Lesson) -> bool:
    """Members who may see the lesson post under it; nobody posts anonymously."""
    return can_read_discussion(user, lesson) and user.is_active


def is_course_trainer(user: User, course: Course) -> bool:
    """The course's trainers: whoever may edit it (its owning trainer and admins)."""
    return can_edit_course(user, course)


def can_read_post(user: User, post: Post) -> bool:
    """A post of a discussion the user may read (a board post is no lesson's: app.board.permissions)."""
    return post.lesson is not None and can_read_discussion(user, post.lesson)


def can_reply(user: User, post: Post) -> bool:
    return post.lesson is not None and can_post(user, post.lesson)


def can_moderate(user: User, post: Post) -> bool:
    """Hide, delete, restore and pin: the course's trainers and admins."""
    return (
        post.lesson is not None
        and can_read_discussion(user, post.lesson)
        and is_course_trainer(user, post.lesson.course)
    )


def can_accept_answer(user: User, question: Post) -> bool:
    """The course's trainers, and the member who asked."""
    return (
        question.lesson is not None
        and can_read_discussion(user, question.lesson)
        and (question.author_id == user.id or is_course_trainer(user, question.lesson.course))
    )


def can_accept(user: User, answer: Post) -> bool:
    """Mark ``answer`` as the accepted answer of the question it replies to."""
    return answer.parent is not None and can_accept_answer(user, answer.parent)


def can_report(user: User, post: Post) -> bool:
    return can_read_post(user, post) and post.author_id != user.id and post.is_visible


def has_question_overview(user: User) -> bool:
    return user.is_authenticated and bool(user.roles & {Role.TRAINER, Role.ADMIN})


def overview_courses(user: User) -> Select[int]:
    """Select the ids of the courses whose questions the user answers: their own (admins: all)."""
    if user.has_role(Role.ADMIN):
        return visible_courses(user).with_only_columns(Course.id)
    if user.has_role(Role.TRAINER):
        return visible_courses(user).where(Course.owner_id == user.id).with_only_columns(Course.id)
    return select(Course.id).where(false())


def readable_posts(user: User) -> Select[Post]:
    """Select posts in discussions the user may read (published courses the user may see)."""
    course_ids = (
        visible_courses(user).where(Course.status == CourseStatus.PUBLISHED).with_only_columns(Course.id)
    )
    return (
        select(Post)
        .join(Lesson, Post.lesson_id == Lesson.id)
        .where(Lesson.course_id.in_(course_ids), Lesson.removed_at.is_(None))
    )
