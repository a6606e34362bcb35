"""The audit log's pages, for auditors and admins: filter, page through, export as CSV."""

from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.audit import services
from app.auth.permissions import permission_required
from app.inputs import page_arg

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")


def _day(name: str, problems: list[str]) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(_("%(value)s is not a date like 2026-11-22: that filter is ignored.", value=text))
        return None


def _text(name: str, most: int) -> str:
    # NUL is dropped: PostgreSQL refuses it in a text parameter, and no stored name holds it.
    return request.args.get(name, "").replace("\x00", "").strip()[:most]


def _filter_from_request() -> tuple[services.AuditFilter, list[str]]:
    problems: list[str] = []
    where = services.AuditFilter(
        actor=_text("actor", 64),
        action=_text("action", 60),
        object_type=_text("object_type", 40),
        since=_day("since", problems),
        until=_day("until", problems),
    )
    return where, problems


@bp.get("/")
@permission_required(services.can_read_audit_log)
def log():
    where, problems = _filter_from_request()
    page = page_arg()
    events, total = services.search_events(current_user, where, page)
    return render_template(
        "audit/log.html",
        events=events,
        total=total,
        page=page,
        pages=max((total + services.PAGE_SIZE - 1) // services.PAGE_SIZE, 1),
        where=where,
        problems=problems,
        detail_text=services.detail_text,
    )


@bp.get("/export.csv")
@permission_required(services.can_read_audit_log)
def export():
    where, _problems = _filter_from_request()
    body = "\ufeff" + services.export_events(current_user, where)  # a BOM: Excel reads it as UTF-8
    response = Response(body.encode(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = "attachment; filename=audit-log.csv"
    response.headers["Cache-Control"] = "no-store"
    return response
