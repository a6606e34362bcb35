"""JSON endpoints of the library under /api/v1/library (same session; CSRF in X-CSRFToken)."""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user, login_required

from app.errors import DomainError
from app.inputs import json_object
from app.library import services

bp = Blueprint("library_api", __name__, url_prefix="/api/v1/library")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 9 else None


@bp.get("/search")
@login_required
def search():
    """Search: ?q=&collection=(id or name)&year=&sort=relevance|date&page= → ten results a page."""
    collection_value = request.args.get("collection", "")
    collection = services.find_collection(collection_value)
    if collection_value and collection is None:
        return jsonify(error="unknown collection", collection=collection_value), 404
    found = services.search_library(
        request.args.get("q", ""),
        collection=collection,
        year=_int_arg("year"),
        sort=request.args.get("sort", "relevance"),
        page=_int_arg("page") or 1,
    )
    return jsonify(found.as_json())


@bp.put("/documents/<int:document_id>/position")
@login_required
def remember_position(document_id: int):
    """Remember the section the member is reading: {"anchor": "s3"}."""
    document = services.get_document(document_id)
    if document is None:
        abort(404)
    payload = json_object()
    try:
        anchor = services.remember_position(current_user, document, str(payload.get("anchor", ""))[:40])
    except DomainError as error:
        return jsonify(error=error.message), 400
    return jsonify(anchor=anchor)
