"""What both discussion places, lesson discussions and units' boards, do alike in a request: load
a post for the signed-in user, and the post actions (reply, report, pin, moderate) as handlers.

Each blueprint loads its posts through a :class:`PostLoader` made of its own scoped query and
permission predicates; it then hands over the post, where to go back to (``back``: the page showing
a post) and the words of its place. The forms, the services and the pages are the same in both places.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select
from werkzeug.wrappers import Response

from app.auth.forms import ConfirmForm
from app.auth.models import User
from app.discussions import services
from app.discussions.forms import ModerateForm, ReplyForm, ReportForm
from app.discussions.models import Post, PostStatus
from app.errors import DomainError
from app.extensions import db
from app.web import filled

Back = Callable[[Post], str]
PostCheck = Callable[[User, Post], bool]


@dataclass(frozen=True)
class PostLoader:
    """A place's ``post_or_404`` loaders (docs/architecture.md, route permissions).

    ``scope(user)`` selects the place's posts the user may reach, ``readable(user, post)`` says
    whether the user may open one: any other post, and a deleted one, answers 404 as if it did not
    exist. An action's ``allowed(user, post)`` answers 403 for a post the user sees but may not do
    that to.
    """

    scope: Callable[[User], Select[Post]]
    readable: PostCheck

    def post_or_404(self, post_id: int, allowed: PostCheck | None = None) -> Post:
        post = db.session.scalars(self.scope(current_user).where(Post.id == post_id)).first()
        if post is None or post.status is PostStatus.DELETED or not self.readable(current_user, post):
            abort(404)
        return _allowed_or_403(post, allowed)

    def visible_post_or_404(self, post_id: int, allowed: PostCheck | None = None) -> Post:
        """A post that is not hidden: a hidden post's text is for moderators only, so replying to or
        reporting it answers 404."""
        post = self.post_or_404(post_id)
        if not post.is_visible:
            abort(404)
        return _allowed_or_403(post, allowed)


def _allowed_or_403(post: Post, allowed: PostCheck | None) -> Post:
    if allowed is not None and not allowed(current_user, post):
        abort(403)
    return post


def reply_page(post: Post, back: Back, crumbs: list[tuple[str, str]]) -> Response | str:
    """Show the reply form for ``post`` (quoting it when it is a reply) and send the reply."""
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            reply = services.reply_to(
                current_user, post, filled(form.body.data), quote=form.quote.data == "1"
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(back(reply))
    elif not form.is_submitted():
        form.quote.data = "1" if post.parent_id is not None else ""
    return render_template("discussions/reply.html", post=post, form=form, back_url=back(post), crumbs=crumbs)


def report_page(
    post: Post, back: Back, form: ReportForm, thanks: str, submit_label: str, crumbs: list[tuple[str, str]]
) -> Response | str:
    """Show the report form and record a member's report of ``post`` for the place's moderators."""
    if form.validate_on_submit():
        try:
            services.report_post(current_user, post, filled(form.reason.data))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(thanks, "success")
        return redirect(back(post))
    return render_template(
        "discussions/report.html", post=post, form=form, submit_label=submit_label, crumbs=crumbs
    )


def pin(post: Post, pinned: bool, back_url: str) -> Response:
    if ConfirmForm().validate_on_submit():
        try:
            services.set_pinned(current_user, post, pinned)
        except DomainError as error:
            flash(error.message, "error")
    return redirect(back_url)


def moderate(post: Post, back: Back) -> Response:
    """Hide, delete or restore ``post`` with a reason (recorded in the audit log)."""
    form = ModerateForm()
    if not form.validate_on_submit():
        flash(_("Choose an action and give a reason."), "error")
    else:
        try:
            services.moderate_post(current_user, post, filled(form.action.data), filled(form.reason.data))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Done: the action is recorded in the audit log."), "success")
    return redirect(back(post))
