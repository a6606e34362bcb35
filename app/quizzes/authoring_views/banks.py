"""Question banks: create, import, publish, rename, delete, export."""

import io
import json

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.forms import ConfirmForm
from app.auth.permissions import permission_required
from app.errors import DomainError
from app.extensions import db
from app.quizzes import permissions
from app.quizzes.authoring_views import bank_or_404, bp, delete_confirmed
from app.quizzes.forms import BankForm, BankNameForm, ImportForm
from app.quizzes.models import QuestionBank
from app.quizzes.services import banks
from app.web import filled, run_and_flash

# --- question banks (trainers) ---------------------------------------------------------------


@bp.route("/banks", methods=["GET", "POST"])
@permission_required(permissions.can_author)
def bank_list():
    form = BankForm()
    if form.validate_on_submit():
        try:
            bank = banks.create_bank(filled(form.name.data), current_user, form.description.data or "")
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
@permission_required(permissions.can_author)
def bank(bank_id: int):
    return _render_bank(bank_or_404(bank_id))


@bp.post("/banks/<int:bank_id>/import")
@permission_required(permissions.can_author)
def bank_import(bank_id: int):
    bank = bank_or_404(bank_id)
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
@permission_required(permissions.can_author)
def bank_publish(bank_id: int):
    bank = bank_or_404(bank_id)
    if ConfirmForm().validate_on_submit():
        published = not bank.published
        run_and_flash(
            lambda: banks.set_bank_published(bank, published),
            _("The bank is now used for daily practice.")
            if published
            else _("The bank is no longer used for daily practice."),
        )
    return redirect(url_for("quiz_authoring.bank", bank_id=bank.id))


@bp.post("/banks/<int:bank_id>/rename")
@permission_required(permissions.can_author)
def bank_rename(bank_id: int):
    bank = bank_or_404(bank_id)
    form = BankNameForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: banks.rename_bank(bank, filled(form.name.data), current_user),
            _("The bank has been renamed."),
        )
    else:
        flash(_("Write the bank's new name (up to 100 characters)."), "error")
    return redirect(url_for("quiz_authoring.bank", bank_id=bank.id))


@bp.post("/banks/<int:bank_id>/delete")
@permission_required(permissions.can_author)
def bank_delete(bank_id: int):
    bank = bank_or_404(bank_id)
    return delete_confirmed(
        lambda: banks.delete_bank(bank, current_user),
        _("The bank has been deleted."),
        listing=url_for("quiz_authoring.bank_list"),
        page=url_for("quiz_authoring.bank", bank_id=bank_id),
    )


@bp.get("/banks/<int:bank_id>/export.<any(gift, xlsx, json):extension>")
@permission_required(permissions.can_author)
def bank_export(bank_id: int, extension: str):
    bank = bank_or_404(bank_id)
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
