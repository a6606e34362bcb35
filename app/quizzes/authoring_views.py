"""Trainers' quiz pages: question banks (import, export), quiz settings, grading, statistics."""

import io
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.auth.forms import ConfirmForm
from app.errors import DomainError
from app.extensions import db
from app.quizzes import permissions
from app.quizzes.forms import (
    BankForm,
    BankNameForm,
    DrawRuleForm,
    EssayGradeForm,
    ImportForm,
    QuestionGiftForm,
    QuestionPickForm,
    QuizForm,
)
from app.quizzes.models import Category, Question, QuestionBank, QuestionKind, Quiz, Response
from app.quizzes.question_forms import QuestionForm, question_form
from app.quizzes.services import attempts, banks, quizzes, statistics
from app.quizzes.views import labels, run_service

bp = Blueprint("quiz_authoring", __name__, url_prefix="/quizzes", template_folder="templates")
bp.context_processor(labels)


@bp.before_request
@login_required
def require_author():
    """Every page here is for trainers and admins."""
    if not permissions.can_author(current_user):
        abort(403)


def _bank_or_404(bank_id: int) -> QuestionBank:
    return db.first_or_404(permissions.managed_banks(current_user).where(QuestionBank.id == bank_id))


def _quiz_or_404(quiz_id: int) -> Quiz:
    return db.first_or_404(permissions.managed_quizzes(current_user).where(Quiz.id == quiz_id))


def _question_or_404(question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    _bank_or_404(question.category.bank_id)  # another trainer's bank answers 404 too
    return question


# --- question banks (trainers) ---------------------------------------------------------------


@bp.route("/banks", methods=["GET", "POST"])
def bank_list():
    form = BankForm()
    if form.validate_on_submit():
        try:
            bank = banks.create_bank(form.name.data, current_user, form.description.data or "")
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("quiz_authoring.bank", bank_id=bank.id))
    rows = db.session.scalars(permissions.managed_banks(current_user).order_by(QuestionBank.name))
    return render_template("quizzes/banks.html", banks=rows, form=form)


def _render_bank(bank: QuestionBank, report=None, status: int = 200):
    return (
        render_template(
            "quizzes/bank.html",
            bank=bank,
            categories=banks.category_counts(bank),
            questions=banks.bank_questions(bank),
            import_form=ImportForm(formdata=None),
            name_form=BankNameForm(formdata=None, obj=bank),
            confirm_form=ConfirmForm(),
            report=report,
        ),
        status,
    )


@bp.get("/banks/<int:bank_id>")
def bank(bank_id: int):
    return _render_bank(_bank_or_404(bank_id))


@bp.post("/banks/<int:bank_id>/import")
def bank_import(bank_id: int):
    bank = _bank_or_404(bank_id)
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a GIFT or Excel file to import."), "error")
        return redirect(url_for("quiz_authoring.bank", bank_id=bank.id))
    upload = form.file.data
    data = upload.read()
    try:
        if (upload.filename or "").lower().endswith(".xlsx"):
            report = banks.import_excel(bank, data)
        else:
            report = banks.import_gift(bank, banks.decode_upload(data), strict=form.strict.data)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("quiz_authoring.bank", bank_id=bank.id))
    return _render_bank(bank, report, 200 if report.ok else 422)


@bp.post("/banks/<int:bank_id>/publish")
def bank_publish(bank_id: int):
    bank = _bank_or_404(bank_id)
    if ConfirmForm().validate_on_submit():
        published = not bank.published
        run_service(
            lambda: banks.set_bank_published(bank, published),
            _("The bank is now used for daily practice.")
            if published
            else _("The bank is no longer used for daily practice."),
        )
    return redirect(url_for("quiz_authoring.bank", bank_id=bank.id))


@bp.post("/banks/<int:bank_id>/rename")
def bank_rename(bank_id: int):
    bank = _bank_or_404(bank_id)
    form = BankNameForm()
    if form.validate_on_submit():
        run_service(
            lambda: banks.rename_bank(bank, form.name.data, current_user), _("The bank has been renamed.")
        )
    else:
        flash(_("Write the bank's new name (up to 100 characters)."), "error")
    return redirect(url_for("quiz_authoring.bank", bank_id=bank.id))


@bp.post("/banks/<int:bank_id>/delete")
def bank_delete(bank_id: int):
    bank = _bank_or_404(bank_id)
    if ConfirmForm().validate_on_submit() and run_service(
        lambda: banks.delete_bank(bank, current_user), _("The bank has been deleted.")
    ):
        return redirect(url_for("quiz_authoring.bank_list"))
    return redirect(url_for("quiz_authoring.bank", bank_id=bank_id))


@bp.get("/banks/<int:bank_id>/export.<any(gift, xlsx, json):extension>")
def bank_export(bank_id: int, extension: str):
    bank = _bank_or_404(bank_id)
    if extension == "gift":
        data, mimetype = banks.export_gift(bank).encode("utf-8"), "text/plain; charset=utf-8"
    elif extension == "xlsx":
        data, mimetype = (
            banks.export_excel(bank),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        data = json.dumps(banks.export_json(bank), ensure_ascii=False, indent=2).encode("utf-8")
        mimetype = "application/json"
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"{bank.name}.{extension}"
    )


# --- quiz settings (trainers) ----------------------------------------------------------------


@bp.route("/manage", methods=["GET", "POST"])
def manage():
    form = QuizForm()
    if form.validate_on_submit():
        try:
            quiz = quizzes.create_quiz(quizzes.QuizSettings(**form.settings_values()), current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz.id))
    rows = db.session.scalars(
        permissions.managed_quizzes(current_user).order_by(Quiz.created_at.desc(), Quiz.id.desc())
    )
    return render_template("quizzes/manage.html", quizzes=rows, form=form)


def _settings_page(quiz: Quiz, form: QuizForm):
    banks_managed = permissions.managed_banks(current_user).with_only_columns(QuestionBank.id)
    all_categories = list(
        db.session.scalars(
            select(Category)
            .join(QuestionBank)
            .where(QuestionBank.id.in_(banks_managed))
            .order_by(QuestionBank.name, Category.path)
        )
    )
    rule_form = DrawRuleForm(formdata=None)
    rule_form.category_id.choices = [
        SelectChoice(c.id, c.path or _("(top)"), optgroup=c.bank.name) for c in all_categories
    ]
    pick_form = QuestionPickForm(formdata=None, question_ids=[slot.question_id for slot in quiz.slots])
    questions = db.session.scalars(
        select(Question)
        .join(Category)
        .join(QuestionBank)
        .where(QuestionBank.id.in_(banks_managed))
        .order_by(QuestionBank.name, Category.path, Question.id)
    )
    pick_form.question_ids.choices = [
        SelectChoice(q.id, f"{q.category.path} · {q.title}", optgroup=q.category.bank.name) for q in questions
    ]
    return render_template(
        "quizzes/quiz_settings.html",
        quiz=quiz,
        form=form,
        rule_form=rule_form,
        pick_form=pick_form,
        confirm_form=ConfirmForm(),
        pending=len(attempts.pending_essays(quiz)),
    )


@bp.route("/manage/<int:quiz_id>", methods=["GET", "POST"])
def quiz_settings(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    form = QuizForm.for_quiz(quiz) if request.method == "GET" else QuizForm()
    if form.validate_on_submit() and run_service(
        lambda: quizzes.update_quiz(quiz, quizzes.QuizSettings(**form.settings_values()), current_user),
        _("The quiz has been saved."),
    ):
        return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz.id))
    return _settings_page(quiz, form)


@bp.post("/manage/<int:quiz_id>/delete")
def quiz_delete(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    if ConfirmForm().validate_on_submit() and run_service(
        lambda: quizzes.delete_quiz(quiz, current_user), _("The quiz has been deleted.")
    ):
        return redirect(url_for("quiz_authoring.manage"))
    return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz_id))


@bp.post("/manage/<int:quiz_id>/questions")
def quiz_questions(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    ids = [int(value) for value in request.form.getlist("question_ids") if value.isdigit()]
    if ConfirmForm().validate_on_submit():
        chosen = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
        run_service(
            lambda: quizzes.set_fixed_questions(quiz, [chosen[i] for i in ids if i in chosen]),
            _("The quiz's questions have been saved."),
        )
    return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz.id))


@bp.post("/manage/<int:quiz_id>/rules")
def quiz_add_rule(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    form = DrawRuleForm()
    form.category_id.choices = [
        SelectChoice(category_id) for category_id in db.session.scalars(select(Category.id))
    ]
    if form.validate_on_submit():
        category = db.session.get(Category, form.category_id.data)
        run_service(
            lambda: quizzes.add_draw_rule(quiz, category, form.count.data),
            _("The draw rule has been added."),
        )
    else:
        flash(_("Choose a category and how many questions to draw."), "error")
    return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz.id))


@bp.post("/manage/<int:quiz_id>/rules/<int:rule_id>/delete")
def quiz_remove_rule(quiz_id: int, rule_id: int):
    quiz = _quiz_or_404(quiz_id)
    if ConfirmForm().validate_on_submit():
        run_service(lambda: quizzes.remove_draw_rule(quiz, rule_id), _("The draw rule has been removed."))
    return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz.id))


@bp.get("/manage/<int:quiz_id>/grading")
def grading(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    return render_template(
        "quizzes/grading.html", quiz=quiz, pending=attempts.pending_essays(quiz), form=EssayGradeForm()
    )


@bp.post("/responses/<int:response_id>/grade")
def grade_response(response_id: int):
    response = db.get_or_404(Response, response_id)
    _quiz_or_404(response.attempt.quiz_id)
    form = EssayGradeForm()
    if form.validate_on_submit():
        run_service(
            lambda: attempts.grade_essay(
                response, float(form.fraction.data), current_user, form.comment.data or ""
            ),
            _("The grade has been saved."),
        )
    else:
        flash(_("The grade is a share of the marks from 0 to 1."), "error")
    return redirect(url_for("quiz_authoring.grading", quiz_id=response.attempt.quiz_id))


@bp.get("/manage/<int:quiz_id>/statistics")
def quiz_statistics(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    return render_template(
        "quizzes/statistics.html",
        quiz=quiz,
        stats=statistics.question_statistics(quiz),
        results=statistics.results_rows(quiz),
        headers=statistics.RESULT_HEADERS,
    )


@bp.get("/manage/<int:quiz_id>/results.xlsx")
def quiz_results_export(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    return send_file(
        io.BytesIO(statistics.results_workbook(quiz)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{quiz.title}-results.xlsx",
    )


def _save_question(form: QuestionForm, kind: QuestionKind, save, message: str) -> bool:
    """Add blank rows when asked; else check the form and save its question through ``save``."""
    if form.wants_more_rows():
        form.add_rows()
        return False
    return form.validate_on_submit() and run_service(lambda: save(form.question_data(kind)), message)


@bp.route("/banks/<int:bank_id>/questions/new", methods=["GET", "POST"])
def question_new(bank_id: int):
    bank = _bank_or_404(bank_id)
    if request.args.get("kind") not in set(QuestionKind):
        abort(404)
    kind = QuestionKind(request.args["kind"])
    form = question_form(kind)
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
def question_edit(question_id: int):
    question = _question_or_404(question_id)
    form = question_form(question.kind, question if request.method == "GET" else None)
    if _save_question(
        form,
        question.kind,
        lambda data: banks.update_question(question, data),
        _("The question has been saved."),
    ):
        return redirect(url_for("quiz_authoring.bank", bank_id=question.category.bank_id))
    return _question_page(question, form)


@bp.post("/questions/<int:question_id>/gift")
def question_gift(question_id: int):
    question = _question_or_404(question_id)
    gift_form = QuestionGiftForm()
    if gift_form.validate_on_submit() and run_service(
        lambda: banks.update_question_from_gift(question, gift_form.source.data),
        _("The question has been saved."),
    ):
        return redirect(url_for("quiz_authoring.bank", bank_id=question.category.bank_id))
    return _question_page(question, question_form(question.kind, question), gift_form)


@bp.post("/questions/<int:question_id>/delete")
def question_delete(question_id: int):
    question = _question_or_404(question_id)
    bank_id = question.category.bank_id
    if ConfirmForm().validate_on_submit() and not run_service(
        lambda: banks.delete_question(question), _("The question has been deleted.")
    ):
        return redirect(url_for("quiz_authoring.question_edit", question_id=question_id))
    return redirect(url_for("quiz_authoring.bank", bank_id=bank_id))
