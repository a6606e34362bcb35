"""The post actions both discussion places offer, lesson discussions and units' boards: reply,
report, pin and moderate, as request handlers.

Each blueprint finds the post through its own scoped query and checks its own permission first; it
then hands over the post, where to go back to (``back``: the page showing a post) and the words of
its place. The forms, the services and the pages are the same in both places.
"""

from collections.abc import Callable

from flask import flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.auth.forms import ConfirmForm
from app.discussions import services
from app.discussions.forms import ModerateForm, ReplyForm
from app.discussions.models import Post
from app.errors import DomainError

Back = Callable[[Post], str]


def reply_page(post: Post, back: Back, crumbs: list[tuple[str, str]]) -> Response | str:
    """Show the reply form for ``post`` (quoting it when it is a reply) and send the reply."""
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            reply = services.reply_to(current_user, post, form.body.data, quote=form.quote.data == "1")
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(back(reply))
    elif not form.is_submitted():
        form.quote.data = "1" if post.parent_id is not None else ""
    return render_template("discussions/reply.html", post=post, form=form, back_url=back(post), crumbs=crumbs)


def report_page(
    post: Post, back: Back, form: FlaskForm, thanks: str, submit_label: str, crumbs
) -> Response | str:
    """Show the report form and record a member's report of ``post`` for the place's moderators."""
    if form.validate_on_submit():
        try:
            services.report_post(current_user, post, form.reason.data)
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
            services.moderate_post(current_user, post, form.action.data, form.reason.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Done: the action is recorded in the audit log."), "success")
    return redirect(back(post))
