"""Discussion pages and actions; the thread itself is shown under each lesson (_thread.html)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.forms import ConfirmForm
from app.auth.permissions import permission_required
from app.courses.models import Lesson
from app.discussions import actions, permissions, services
from app.discussions.forms import MODERATION_LABELS, ModerateForm, PostForm, ReportForm
from app.discussions.limits import posting_limit
from app.discussions.models import Post
from app.errors import DomainError
from app.extensions import db
from app.markup import render_markdown
from app.web import filled

bp = Blueprint("discussions", __name__, url_prefix="/discussions", template_folder="templates")


def _lesson_or_404(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not permissions.can_read_discussion(current_user, lesson):
        abort(404)
    return lesson


# Posts load through the lesson discussions' scope; the loaders named for an action answer 404 for
# what the user may not see, 403 for what they see but may not do this to.
lesson_posts = actions.PostLoader(permissions.readable_posts, permissions.can_read_post)


def _postable_lesson_or_404(lesson_id: int) -> Lesson:
    lesson = _lesson_or_404(lesson_id)
    if not permissions.can_post(current_user, lesson):
        abort(403)
    return lesson


def lesson_url(lesson: Lesson, post: Post | None = None, anchor: str | None = None) -> str:
    url = url_for("courses.lesson", slug=lesson.course.slug, lesson_id=lesson.id)
    return f"{url}#{anchor or (f'post-{post.id}' if post else 'discussion')}"


@bp.app_template_global("lesson_discussion")
def lesson_discussion(lesson: Lesson) -> dict[str, object] | None:
    """What the lesson page's discussion needs; None when the lesson has no discussion for the user."""
    if not permissions.can_read_discussion(current_user, lesson):
        return None
    return {
        "threads": services.lesson_threads(lesson),
        "can_post": permissions.can_post(current_user, lesson),
        "is_trainer": permissions.is_course_trainer(current_user, lesson.course),
        "form": PostForm(),
        "confirm_form": ConfirmForm(),
        "moderate_form": ModerateForm(),
        "moderation_labels": MODERATION_LABELS,
        "blueprint": "discussions",
    }


@bp.app_template_filter("post_markdown")
def post_markdown(text: str):
    return render_markdown(text)


@bp.app_context_processor
def discussion_navigation() -> dict[str, object]:
    def unread_replies() -> int:
        return services.unread_reply_count(current_user) if current_user.is_authenticated else 0

    return {
        "discussion_unread_replies": unread_replies,
        "has_question_overview": current_user.is_authenticated
        and permissions.has_question_overview(current_user),
    }


@bp.post("/lessons/<int:lesson_id>/posts")
@login_required
@posting_limit
def create_post(lesson_id: int):
    lesson = _postable_lesson_or_404(lesson_id)
    form = PostForm()
    if not form.validate_on_submit():
        flash(
            _("Write something before posting (at most %(count)d characters).", count=services.MAX_BODY),
            "error",
        )
        return redirect(lesson_url(lesson, anchor="new-post"))
    try:
        post = services.create_post(current_user, lesson, filled(form.body.data), form.is_question.data)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(lesson_url(lesson, anchor="new-post"))
    return redirect(lesson_url(lesson, post))


def _crumbs(lesson: Lesson) -> list[tuple[str, str]]:
    return [
        (lesson.course.title, url_for("courses.course", slug=lesson.course.slug)),
        (lesson.title, lesson_url(lesson)),
    ]


@bp.route("/posts/<int:post_id>/reply", methods=["GET", "POST"])
@login_required
@posting_limit
def reply(post_id: int):
    post = lesson_posts.visible_post_or_404(post_id, permissions.can_reply)
    return actions.reply_page(post, _back, _crumbs(services.lesson_of(post)))


def _back(post: Post) -> str:
    return lesson_url(services.lesson_of(post), post)


@bp.post("/posts/<int:post_id>/accept")
@login_required
def accept(post_id: int):
    answer = lesson_posts.visible_post_or_404(post_id, permissions.can_accept)
    if ConfirmForm().validate_on_submit():
        try:
            services.accept_answer(answer)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The answer is marked as accepted."), "success")
    return redirect(_back(answer))


def _set_pinned(post_id: int, pinned: bool):
    post = lesson_posts.post_or_404(post_id, permissions.can_moderate)
    return actions.pin(post, pinned, _back(post))


@bp.post("/posts/<int:post_id>/pin")
@login_required
def pin(post_id: int):
    return _set_pinned(post_id, True)


@bp.post("/posts/<int:post_id>/unpin")
@login_required
def unpin(post_id: int):
    return _set_pinned(post_id, False)


@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@login_required
def report(post_id: int):
    post = lesson_posts.visible_post_or_404(post_id, permissions.can_report)
    return actions.report_page(
        post,
        _back,
        ReportForm(),
        _("Thank you: the course's trainers will look at this post."),
        _("Report to the trainers"),
        _crumbs(services.lesson_of(post)),
    )


@bp.post("/posts/<int:post_id>/moderate")
@login_required
def moderate(post_id: int):
    post = lesson_posts.post_or_404(post_id, permissions.can_moderate)
    return actions.moderate(post, _back)


@bp.get("/replies")
@login_required
def replies():
    """Show the replies to the member's posts, newest first; opening the page marks them read."""
    recent, seen_at = services.recent_replies(current_user)
    services.mark_replies_seen(current_user)
    return render_template("discussions/replies.html", replies=recent, seen_at=seen_at, lesson_url=lesson_url)


@bp.get("/questions")
@permission_required(permissions.has_question_overview)
def questions():
    """The trainer's open questions across their courses, oldest first, and open reports."""
    open_questions = list(db.session.scalars(services.open_questions(current_user)))
    return render_template(
        "discussions/questions.html",
        questions=open_questions,
        reply_counts=services.reply_counts(open_questions),
        reports=list(db.session.scalars(services.open_reports(current_user))),
        lesson_url=lesson_url,
    )
