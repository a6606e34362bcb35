"""The board pages: the boards a user may open, a board's topics, a topic with its replies, and the
actions on posts (reply, report, pin, moderate), which call the discussion domain's services."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.forms import ConfirmForm
from app.board import permissions, services
from app.board.forms import BoardReportForm, TopicForm
from app.discussions import actions
from app.discussions.forms import MODERATION_LABELS, ModerateForm, ReplyForm
from app.discussions.limits import posting_limit
from app.discussions.models import Post, PostStatus
from app.errors import DomainError
from app.extensions import db
from app.inputs import page_arg
from app.org.models import OrgUnit
from app.org.services import name_paths
from app.web import filled

bp = Blueprint("board", __name__, url_prefix="/board", template_folder="templates")

# Board posts load through the boards' scope, as lesson posts do through theirs (app.discussions).
board_posts = actions.PostLoader(permissions.readable_board_posts, permissions.can_see_post)


def _unit_or_404(unit_id: int) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not permissions.can_read_board(current_user, unit):
        abort(404)
    return unit


def _postable_unit_or_404(unit_id: int) -> OrgUnit:
    unit = _unit_or_404(unit_id)
    if not permissions.can_post(current_user, unit):
        abort(403)
    return unit


def post_url(post: Post) -> str:
    topic = post.parent or post
    anchor = f"#post-{post.id}" if post.parent_id else ""
    return url_for("board.topic", post_id=topic.id) + anchor


def _discussion(unit: OrgUnit) -> dict[str, object]:
    """What the shared post macros need (app/discussions/templates/discussions/_macros.html)."""
    return {
        "can_post": permissions.can_post(current_user, unit),
        "is_trainer": permissions.can_moderate(current_user, unit),  # the macros' word for a moderator
        "confirm_form": ConfirmForm(),
        "moderate_form": ModerateForm(),
        "moderation_labels": MODERATION_LABELS,
        "blueprint": "board",
    }


@bp.get("/")
@login_required
def index():
    """A member goes straight to their unit's board; a secretary chooses among the boards in scope."""
    units = list(db.session.scalars(permissions.board_units(current_user)))
    if len(units) == 1:
        return redirect(url_for("board.unit", unit_id=units[0].id))
    if not units:
        abort(404)
    paths = name_paths(units)
    units.sort(key=lambda unit: paths[unit.id])
    return render_template(
        "board/index.html",
        units=units,
        paths=paths,
        counts=services.topic_counts([unit.id for unit in units]),
    )


@bp.get("/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    unit = _unit_or_404(unit_id)
    page = page_arg()
    moderator = permissions.can_moderate(current_user, unit)
    rows, total = services.board_topics(unit, include_hidden=moderator, page=page)
    return render_template(
        "board/unit.html",
        unit=unit,
        rows=rows,
        total=total,
        page=page,
        pages=max((total + services.PAGE_SIZE - 1) // services.PAGE_SIZE, 1),
        form=TopicForm(),
        can_post=permissions.can_post(current_user, unit),
        reports=services.open_reports(unit) if moderator else [],
        post_url=post_url,
        # The page above: the boards to choose from, or the home page when this is the one board
        # (the boards page would lead straight back here).
        chooses_board=services.board_count(current_user) > 1,
    )


@bp.post("/units/<int:unit_id>/topics")
@login_required
@posting_limit
def new_topic(unit_id: int):
    unit = _postable_unit_or_404(unit_id)
    form = TopicForm()
    if not form.validate_on_submit():
        flash(_("Give the topic a title and some text."), "error")
        return redirect(url_for("board.unit", unit_id=unit.id) + "#new-topic")
    try:
        topic = services.create_topic(current_user, unit, filled(form.title.data), filled(form.body.data))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("board.unit", unit_id=unit.id) + "#new-topic")
    return redirect(url_for("board.topic", post_id=topic.id))


@bp.get("/topics/<int:post_id>")
@login_required
def topic(post_id: int):
    topic = board_posts.post_or_404(post_id)
    if topic.parent_id is not None:
        return redirect(post_url(topic))
    unit = services.board_of(topic)
    return render_template(
        "board/topic.html",
        unit=unit,
        thread=services.topic_thread(topic),
        discussion=_discussion(unit),
        form=ReplyForm(),
    )


def _crumbs(post: Post) -> list[tuple[str, str]]:
    topic = post.parent or post
    unit = services.board_of(post)
    return [
        (_("Branch board: %(unit)s", unit=unit.name), url_for("board.unit", unit_id=unit.id)),
        (topic.title, post_url(topic)),
    ]


@bp.route("/posts/<int:post_id>/reply", methods=["GET", "POST"])
@login_required
@posting_limit
def reply(post_id: int):
    post = board_posts.visible_post_or_404(post_id, permissions.can_reply)
    return actions.reply_page(post, post_url, _crumbs(post))


@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@login_required
def report(post_id: int):
    post = board_posts.visible_post_or_404(post_id, permissions.can_report)
    return actions.report_page(
        post,
        post_url,
        BoardReportForm(),
        _("Thank you: the branch secretary will look at this post."),
        _("Report to the branch secretary"),
        _crumbs(post),
    )


def _set_pinned(post_id: int, pinned: bool):
    post = board_posts.post_or_404(post_id, permissions.can_moderate_post)
    return actions.pin(post, pinned, url_for("board.unit", unit_id=post.unit_id))


@bp.post("/posts/<int:post_id>/pin")
@login_required
def pin(post_id: int):
    return _set_pinned(post_id, True)


@bp.post("/posts/<int:post_id>/unpin")
@login_required
def unpin(post_id: int):
    return _set_pinned(post_id, False)


@bp.post("/posts/<int:post_id>/moderate")
@login_required
def moderate(post_id: int):
    return actions.moderate(
        board_posts.post_or_404(post_id, permissions.can_moderate_post), _after_moderation
    )


def _after_moderation(post: Post) -> str:
    """Back to the post, or to the board when the topic itself is gone."""
    if post.status is PostStatus.DELETED and post.parent_id is None:
        return url_for("board.unit", unit_id=post.unit_id)
    return post_url(post)
