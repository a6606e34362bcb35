"""Questions: the structured editor per kind, the GIFT editor, delete."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth.forms import ConfirmForm
from app.auth.permissions import permission_required
from app.quizzes import permissions
from app.quizzes.authoring_views import bank_or_404, bp, question_or_404
from app.quizzes.editor import QuestionForm
from app.quizzes.forms import QuestionGiftForm
from app.quizzes.kinds import KINDS, get_kind
from app.quizzes.models import Question
from app.quizzes.services import banks
from app.web import run_and_flash


def _save_question(form: QuestionForm, kind: str, save, message: str) -> bool:
    """Add blank rows when asked; else check the form and save its question through ``save``."""
    if form.wants_more_rows():
        form.add_rows()
        return False
    return form.validate_on_submit() and run_and_flash(lambda: save(form.question_data(kind)), message)


@bp.route("/banks/<int:bank_id>/questions/new", methods=["GET", "POST"])
@permission_required(permissions.can_author)
def question_new(bank_id: int):
    bank = bank_or_404(bank_id)
    if request.args.get("kind") not in KINDS:
        abort(404)
    kind = get_kind(request.args["kind"]).name
    form = get_kind(kind).editor()
    if _save_question(
        form, kind, lambda data: banks.add_question(bank, data), _("The question has been added.")
    ):
        return redirect(url_for("quiz_authoring.bank", bank_id=bank.id))
    return render_template("quizzes/question_new.html", bank=bank, kind=kind, form=form)


def _question_page(question: Question, form: QuestionForm, gift_form: QuestionGiftForm | None = None):
    return render_template(
        "quizzes/question_edit.html",
        question=question,
        form=form,
        gift_form=gift_form or QuestionGiftForm(formdata=None, source=banks.question_gift(question)),
        gift_open=gift_form is not None,
        confirm_form=ConfirmForm(),
    )


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@permission_required(permissions.can_author)
def question_edit(question_id: int):
    question = question_or_404(question_id)
    form = get_kind(question.kind).editor(question if request.method == "GET" else None)
    if _save_question(
        form,
        question.kind,
        lambda data: banks.update_question(question, data),
        _("The question has been saved."),
    ):
        return redirect(url_for("quiz_authoring.bank", bank_id=question.category.bank_id))
    return _question_page(question, form)


@bp.post("/questions/<int:question_id>/gift")
@permission_required(permissions.can_author)
def question_gift(question_id: int):
    question = question_or_404(question_id)
    gift_form = QuestionGiftForm()
    if gift_form.validate_on_submit() and run_and_flash(
        lambda: banks.update_question_from_gift(question, gift_form.source.data or ""),
        _("The question has been saved."),
    ):
        return redirect(url_for("quiz_authoring.bank", bank_id=question.category.bank_id))
    return _question_page(question, get_kind(question.kind).editor(question), gift_form)


@bp.post("/questions/<int:question_id>/delete")
@permission_required(permissions.can_author)
def question_delete(question_id: int):
    question = question_or_404(question_id)
    bank_id = question.category.bank_id
    if ConfirmForm().validate_on_submit() and not run_and_flash(
        lambda: banks.delete_question(question), _("The question has been deleted.")
    ):
        return redirect(url_for("quiz_authoring.question_edit", question_id=question_id))
    return redirect(url_for("quiz_authoring.bank", bank_id=bank_id))
