"""Quizzes: settings, questions and draw rules, delete, grading, statistics and results."""

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2

from app.auth.forms import ConfirmForm
from app.auth.permissions import permission_required
from app.errors import DomainError
from app.extensions import db
from app.quizzes import permissions
from app.quizzes.authoring_views import bp, delete_confirmed, quiz_or_404
from app.quizzes.forms import (
    DrawRuleForm,
    EssayGradeForm,
    QuestionPickForm,
    QuizForm,
)
from app.quizzes.models import Category, Question, QuestionBank, Quiz, Response
from app.quizzes.services import attempts, quizzes, statistics
from app.web import filled, run_and_flash

# --- quiz settings (trainers) ----------------------------------------------------------------


@bp.route("/manage", methods=["GET", "POST"])
@permission_required(permissions.can_author)
def manage():
    form = QuizForm()
    if form.validate_on_submit():
        settings = form.settings()
        try:
            quiz = quizzes.create_quiz(settings, current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            if settings.published:  # it cannot open before it has questions: say so, and what to add
                flash(
                    _(
                        "The quiz has been created but is not open to members yet. %(reason)s "
                        "Then tick “Open to members” and save.",
                        reason=quizzes.publish_problem(quiz),
                    ),
                    "error",
                )
            return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz.id))
    rows = db.session.scalars(
        permissions.managed_quizzes(current_user).order_by(Quiz.created_at.desc(), Quiz.id.desc())
    )
    return render_template("quizzes/manage.html", quizzes=rows, form=form)


def _settings_page(quiz: Quiz, form: QuizForm):
    all_categories = list(
        db.session.scalars(
            permissions.managed_categories(current_user).order_by(QuestionBank.name, Category.path)
        )
    )
    rule_form = DrawRuleForm(formdata=None)
    rule_form.category_id.choices = [
        # Every bank has a top level: each option names its bank, so two are never alike.
        SelectChoice(c.id, f"{c.bank.display_name} / {c.path or _('(top)')}", optgroup=c.bank.display_name)
        for c in all_categories
    ]
    pick_form = QuestionPickForm(formdata=None, question_ids=[slot.question_id for slot in quiz.slots])
    questions = db.session.scalars(
        permissions.managed_questions(current_user).order_by(QuestionBank.name, Category.path, Question.id)
    )
    pick_form.question_ids.choices = [
        SelectChoice(q.id, f"{q.category.path} · {q.title}", optgroup=q.category.bank.display_name)
        for q in questions
    ]
    return render_template(
        "quizzes/quiz_settings.html",
        quiz=quiz,
        not_ready=None if quiz.published else quizzes.publish_problem(quiz),
        form=form,
        rule_form=rule_form,
        pick_form=pick_form,
        confirm_form=ConfirmForm(),
        pending=len(attempts.pending_essays(quiz)),
    )


@bp.route("/manage/<int:quiz_id>", methods=["GET", "POST"])
@permission_required(permissions.can_author)
def quiz_settings(quiz_id: int):
    quiz = quiz_or_404(quiz_id)
    form = QuizForm.for_quiz(quiz) if request.method == "GET" else QuizForm()
    if form.validate_on_submit() and run_and_flash(
        lambda: quizzes.update_quiz(quiz, form.settings(), current_user),
        _("The quiz has been saved."),
    ):
        return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz.id))
    return _settings_page(quiz, form)


@bp.post("/manage/<int:quiz_id>/delete")
@permission_required(permissions.can_author)
def quiz_delete(quiz_id: int):
    quiz = quiz_or_404(quiz_id)
    return delete_confirmed(
        lambda: quizzes.delete_quiz(quiz, current_user),
        _("The quiz has been deleted."),
        listing=url_for("quiz_authoring.manage"),
        page=url_for("quiz_authoring.quiz_settings", quiz_id=quiz_id),
    )


@bp.post("/manage/<int:quiz_id>/questions")
@permission_required(permissions.can_author)
def quiz_questions(quiz_id: int):
    quiz = quiz_or_404(quiz_id)
    ids = [int(value) for value in request.form.getlist("question_ids") if value.isdigit()]
    if ConfirmForm().validate_on_submit():
        # Only questions of banks the trainer manages: another trainer's are not theirs to show.
        managed = permissions.managed_questions(current_user).where(Question.id.in_(ids))
        chosen = {q.id: q for q in db.session.scalars(managed)}
        run_and_flash(
            lambda: quizzes.set_fixed_questions(quiz, [chosen[i] for i in ids if i in chosen]),
            _("The quiz's questions have been saved."),
        )
    return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz.id))


@bp.post("/manage/<int:quiz_id>/rules")
@permission_required(permissions.can_author)
def quiz_add_rule(quiz_id: int):
    quiz = quiz_or_404(quiz_id)
    form = DrawRuleForm()
    managed = permissions.managed_categories(current_user)
    form.category_id.choices = [SelectChoice(category.id) for category in db.session.scalars(managed)]
    if form.validate_on_submit():
        category = db.session.scalars(managed.where(Category.id == form.category_id.data)).one()
        run_and_flash(
            lambda: quizzes.add_draw_rule(quiz, category, filled(form.count.data)),
            _("The draw rule has been added."),
        )
    else:
        flash(_("Choose a category and how many questions to draw."), "error")
    return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz.id))


@bp.post("/manage/<int:quiz_id>/rules/<int:rule_id>/delete")
@permission_required(permissions.can_author)
def quiz_remove_rule(quiz_id: int, rule_id: int):
    quiz = quiz_or_404(quiz_id)
    if ConfirmForm().validate_on_submit():
        run_and_flash(lambda: quizzes.remove_draw_rule(quiz, rule_id), _("The draw rule has been removed."))
    return redirect(url_for("quiz_authoring.quiz_settings", quiz_id=quiz.id))


@bp.get("/manage/<int:quiz_id>/grading")
@permission_required(permissions.can_author)
def grading(quiz_id: int):
    quiz = quiz_or_404(quiz_id)
    return render_template(
        "quizzes/grading.html", quiz=quiz, pending=attempts.pending_essays(quiz), form=EssayGradeForm()
    )


@bp.post("/responses/<int:response_id>/grade")
@permission_required(permissions.can_author)
def grade_response(response_id: int):
    response = db.get_or_404(Response, response_id)
    quiz_or_404(response.attempt.quiz_id)
    form = EssayGradeForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: attempts.grade_essay(
                response, float(filled(form.fraction.data)), current_user, form.comment.data or ""
            ),
            _("The grade has been saved."),
        )
    else:
        flash(_("The grade is a share of the marks from 0 to 1."), "error")
    return redirect(url_for("quiz_authoring.grading", quiz_id=response.attempt.quiz_id))


@bp.get("/manage/<int:quiz_id>/statistics")
@permission_required(permissions.can_author)
def quiz_statistics(quiz_id: int):
    quiz = quiz_or_404(quiz_id)
    return render_template(
        "quizzes/statistics.html",
        quiz=quiz,
        stats=statistics.question_statistics(quiz),
        results=statistics.results_rows(quiz),
        headers=statistics.RESULT_HEADERS,
    )


@bp.get("/manage/<int:quiz_id>/results.xlsx")
@permission_required(permissions.can_author)
def quiz_results_export(quiz_id: int):
    quiz = quiz_or_404(quiz_id)
    return send_file(
        io.BytesIO(statistics.results_workbook(quiz)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{quiz.title}-results.xlsx",
    )
