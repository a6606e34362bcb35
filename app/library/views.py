"""The library pages: browse, search, read; trainers and admins also upload; a document's uploader
and admins edit and delete it."""

from typing import cast

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.forms import ConfirmForm
from app.auth.permissions import permission_required
from app.errors import DomainError
from app.extensions import db
from app.library import index, learning, permissions, services
from app.library.forms import FORMATS_HINT, DocumentForm, UploadForm
from app.library.models import Document
from app.media import quotas
from app.web import filled

bp = Blueprint("library", __name__, url_prefix="/library", template_folder="templates")
bp.record_once(lambda state: index.init_app(cast(Flask, state.app)))

SORTS = ("relevance", "date")


def _document_or_404(document_id: int) -> Document:
    document = services.get_document(document_id)
    if document is None:
        abort(404)
    return document


def _changeable_document_or_404(document_id: int) -> Document:
    """The document, when the user may change it (403 for another trainer's: they still read it)."""
    document = _document_or_404(document_id)
    if not permissions.can_change_document(current_user, document):
        abort(403)
    return document


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 9 else None


@bp.get("/")
@login_required
def catalogue():
    collection = services.find_collection(_int_arg("collection"))
    documents = db.paginate(
        services.documents_query(collection.id if collection else None),
        page=_int_arg("page") or 1,
        per_page=30,
        error_out=False,
    )
    return render_template(
        "library/catalogue.html",
        collections=services.collections_with_counts(),
        current=collection,
        documents=documents,
        can_manage=permissions.can_manage_library(current_user),
    )


@bp.get("/search")
@login_required
def search():
    text = request.args.get("q", "")
    collection = services.find_collection(_int_arg("collection"))
    sort = request.args.get("sort", "relevance")
    if sort not in SORTS:
        sort = "relevance"
    found = None
    if text.strip():
        found = services.search_library(
            text, collection=collection, year=_int_arg("year"), sort=sort, page=_int_arg("page") or 1
        )
    return render_template(
        "library/search.html",
        text=index.clean_query_text(text),
        found=found,
        collections=services.collections_with_counts(),
        years=services.document_years(),
        collection=collection,
        year=_int_arg("year"),
        sort=sort,
    )


@bp.get("/documents/<int:document_id>")
@login_required
def read(document_id: int):
    document = _document_or_404(document_id)
    return render_template(
        "library/read.html",
        document=document,
        last_anchor=services.reading_position(current_user, document),
        can_change=permissions.can_change_document(current_user, document),
        confirm_form=ConfirmForm(),
        timer=learning.reading_timer(current_user, document, _int_arg("lesson")),
    )


@bp.get("/k/<key>")
@login_required
def read_by_key(key: str):
    """Open a document by the identifier reading lessons use (optionally at ?section=, an anchor or a heading)."""
    document = services.get_document_by_key(key)
    if document is None:
        abort(404)
    section = services.find_section(document, request.args.get("section", ""))
    target = url_for("library.read", document_id=document.id, lesson=_int_arg("lesson"))
    return redirect(f"{target}#{section.anchor}" if section else target)


@bp.route("/upload", methods=["GET", "POST"])
@permission_required(permissions.can_manage_library)
def upload():
    if request.method == "POST":  # over the account's upload quota: 429 (app/media/quotas.py)
        quotas.check_upload(current_user, request.content_length)
    form = UploadForm()
    if form.validate_on_submit():
        upload_file = form.document.data
        data = upload_file.read(services.MAX_FILE_BYTES + 1)
        quotas.record_upload(current_user, "library", len(data))
        try:
            collection = services.ensure_collection(filled(form.collection.data))
            outcome = services.import_upload(
                upload_file.filename or "", data, collection, user=current_user, replace=form.replace.data
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            messages = {
                "imported": _("The document has been added to the library."),
                "updated": _(
                    "The document's text has been replaced by the new file; the previous text is kept "
                    "as a revision."
                ),
                "unchanged": _("This file is already in the library; nothing changed."),
            }
            flash(messages[outcome.status], "success")
            return redirect(url_for("library.read", document_id=outcome.document_id))
    return render_template(
        "library/upload.html",
        form=form,
        hint=FORMATS_HINT,
        collections=services.collections_with_counts(),
    )


@bp.route("/documents/<int:document_id>/edit", methods=["GET", "POST"])
@permission_required(permissions.can_manage_library)
def edit(document_id: int):
    document = _changeable_document_or_404(document_id)
    form = DocumentForm(obj=document)
    if request.method == "GET":
        form.collection.data = document.collection.name
    if form.validate_on_submit():
        changes = services.DocumentChanges(
            title=filled(form.title.data),
            author=form.author.data or "",
            date=form.date.data,
            source=form.source.data or "",
            tags=form.tags.data or "",
            collection_name=filled(form.collection.data),
            key=filled(form.key.data),
        )
        try:
            services.update_metadata(document, changes)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("The document has been saved."), "success")
            return redirect(url_for("library.read", document_id=document.id))
    return render_template("library/edit.html", form=form, document=document, confirm_form=ConfirmForm())


@bp.post("/documents/<int:document_id>/delete")
@permission_required(permissions.can_manage_library)
def delete(document_id: int):
    document = _changeable_document_or_404(document_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = document.title
    services.delete_document(document)
    flash(_("%(title)s has been deleted.", title=title), "success")
    return redirect(url_for("library.catalogue"))
