"""The installable app (manifest, service worker, offline page) and the offline study pages."""

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.auth.permissions import permission_required
from app.extensions import db
from app.inputs import page_arg
from app.offline import services
from app.offline.forms import OfflineSettingForm
from app.org.models import OrgUnit
from app.org.permissions import can_manage_org, scoped_units
from app.org.services import name_path
from app.progress.watching import heartbeats
from app.progress.watching.refusals import setting

bp = Blueprint("offline", __name__, template_folder="templates")

WORKBOX_VERSION = "7.4.1"  # app/static/vendor/workbox-<version>/ (make vendor-workbox)
# What the service worker keeps from its installation on: the offline page and the site's own
# styles and scripts (small), so saved pages look and work the same with no network.
PRECACHED_STATIC = ("css", "js", "icons")
UPLOADS_PAGE_SIZE = 50
# Why an upload was refused, for the secretary (the stored code is shown beside it).
REFUSAL_LABELS = {
    "bad_grant": _l("not a download granted to this member"),
    "offline_credit_off": _l("offline credit is switched off for the unit"),
    "replayed": _l("sent again, or time already counted under this download"),
    "outside_grant": _l("played outside the download's time"),
    "overlapping_plays": _l("two plays at the same time"),
    "faster_than_allowed": _l("played faster than allowed"),
    "exceeds_elapsed": _l("more than the time since the download allows"),
    "overlaps_offline": _l("time already counted for another downloaded lesson"),
    "overlaps_online": _l("time already counted online"),
}


@cache
def _static_revisions(static_folder: str) -> tuple[tuple[str, str], ...]:
    """(file name under static/, revision) of the precached static files: their content's hash."""
    root = Path(static_folder)
    return tuple(
        (path.relative_to(root).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest()[:16])
        for folder in PRECACHED_STATIC
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    )


def _template_revision(name: str) -> str:
    source = Path(bp.root_path, str(bp.template_folder), name).read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: what makes the site installable (name, start page, icons)."""
    icon = lambda size, purpose: {  # noqa: E731
        "src": url_for(
            "static", filename=f"icons/{'maskable' if purpose == 'maskable' else 'icon'}-{size}.png"
        ),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }
    body = {
        "id": "/",
        "name": _("Online Party School"),
        "short_name": _("Party School"),
        "description": _("Online Party School — study anywhere, every hour counted."),
        "lang": "zh-CN",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "icons": [icon(192, "any"), icon(512, "any"), icon(512, "maskable")],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker (Workbox from app/static/vendor): served from the root so its scope is the site."""
    precache = [{"url": url_for("offline.fallback"), "revision": _template_revision("offline/fallback.html")}]
    precache += [
        {"url": url_for("static", filename=name), "revision": revision}
        for name, revision in _static_revisions(current_app.static_folder)
    ]
    script = render_template(
        "offline/sw.js",
        workbox=url_for("static", filename=f"vendor/workbox-{WORKBOX_VERSION}"),
        precache=precache,
        fallback=url_for("offline.fallback"),
    )
    response = Response(script, mimetype="application/javascript")
    response.headers["Cache-Control"] = "no-cache"  # a new version is picked up on the next visit
    return response


@bp.get("/offline")
def fallback():
    """What a page that was not saved shows with no network (kept by the service worker)."""
    return render_template("offline/fallback.html")


@bp.get("/offline/device")
@login_required
def device():
    """What is saved on this device, its size, and removal (the list lives in the browser)."""
    return render_template("offline/device.html")


@bp.get("/offline/lessons/<int:lesson_id>")
@login_required
def player(lesson_id: int):
    """The offline player of a downloaded video lesson (kept on the device, opened with no network)."""
    lesson = heartbeats.watchable_lesson(lesson_id)
    video = lesson.video if lesson is not None else None
    if (
        lesson is None
        or video is None
        or heartbeats.duration_of(lesson) is None
        or video.rendition(360) is None
    ):
        abort(404)
    return render_template(
        "offline/player.html",
        lesson=lesson,
        video_url=url_for("media.rendition_file", video_id=lesson.video_id, height=360),
        max_speed=setting("PROGRESS_WATCH_MAX_SPEED"),
    )


def _managed_unit_or_404(unit_id: int) -> OrgUnit:
    unit = db.session.scalar(scoped_units(current_user).where(OrgUnit.id == unit_id))
    if unit is None:
        abort(404)
    return unit


@bp.route("/units/<int:unit_id>/offline", methods=["GET", "POST"])
@permission_required(can_manage_org)
def unit_setting(unit_id: int):
    """Switch offline credit on or off for a unit and the units below it."""
    unit = _managed_unit_or_404(unit_id)
    allowed, source = services.unit_setting(unit)
    own = source is not None and source.unit_id == unit.id
    form = OfflineSettingForm(choice=("on" if allowed else "off") if own else "inherit")
    if form.validate_on_submit():
        services.set_unit_setting(unit, {"on": True, "off": False}.get(form.choice.data), current_user)
        flash(_("The offline credit setting has been saved."), "success")
        return redirect(url_for("offline.unit_setting", unit_id=unit.id))
    return render_template(
        "offline/unit_setting.html",
        unit=unit,
        unit_path=name_path(unit),
        allowed=allowed,
        source_path=name_path(source.unit) if source is not None and not own else None,
        own=own,
        form=form,
    )


@bp.get("/offline/uploads")
@login_required
def uploads():
    """Offline play logs uploaded by the members the user manages (the user's own for a member)."""
    page = page_arg()
    rows = db.session.execute(
        services.visible_uploads(current_user).limit(UPLOADS_PAGE_SIZE).offset((page - 1) * UPLOADS_PAGE_SIZE)
    ).all()
    return render_template(
        "offline/uploads.html", rows=rows, page=page, page_size=UPLOADS_PAGE_SIZE, reasons=REFUSAL_LABELS
    )
