"""The library's pictures and videos: browse by collection and topic, search, view; trainers add them,
and a resource's uploader and admins edit and delete it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; its stubs are of 3.2

from app.auth.forms import ConfirmForm
from app.auth.permissions import permission_required
from app.errors import DomainError
from app.extensions import db
from app.inputs import MAX_COLUMN_INTEGER, int_arg
from app.library import permissions, resources
from app.library import services as library_services
from app.library.forms import NewResourceForm, ResourceForm
from app.library.models import Resource, ResourceKind
from app.media import images

bp = Blueprint("resources", __name__, url_prefix="/library/resources", template_folder="templates")


def _resource_or_404(resource_id: int) -> Resource:
    resource = resources.get_resource(current_user, resource_id)
    if resource is None:
        abort(404)
    return resource


def _changeable_resource_or_404(resource_id: int) -> Resource:
    """The resource, when the user may change it (403 for another trainer's: they still see it)."""
    resource = _resource_or_404(resource_id)
    if not permissions.can_change_resource(current_user, resource):
        abort(403)
    return resource


def _kind_arg() -> ResourceKind | None:
    value = request.args.get("kind", "")
    return ResourceKind(value) if value in {kind.value for kind in ResourceKind} else None


@bp.get("/")
@login_required
def browse():
    """Pictures and videos by collection, topic and kind, newest first; or the search's hits (?q=)."""
    collection_id = int_arg("collection", 1, MAX_COLUMN_INTEGER)
    topic, kind = request.args.get("topic", "")[:100], _kind_arg()
    text = request.args.get("q", "")
    found = None
    page = int_arg("page", 1, 1000, 1)
    if text.strip():
        found = resources.search(
            current_user, text, collection_id=collection_id, topic=topic or None, page=page
        )
        listed = None
    else:
        listed = db.paginate(
            resources.browse(current_user, collection_id, topic or None, kind),
            page=page,
            per_page=resources.PAGE_SIZE,
            error_out=False,
        )
    return render_template(
        "library/resources.html",
        text=text,
        found=found,
        listed=listed,
        collections=resources.collections_with_resources(current_user),
        topics=resources.topics(current_user),
        collection_id=collection_id,
        topic=topic,
        kind=kind,
        can_manage=permissions.can_manage_library(current_user),
    )


@bp.get("/<int:resource_id>")
@login_required
def view(resource_id: int):
    resource = _resource_or_404(resource_id)
    return render_template(
        "library/resource.html",
        resource=resource,
        watch=resources.player_state(current_user, resource),
        can_change=permissions.can_change_resource(current_user, resource),
        confirm_form=ConfirmForm(),
    )


@bp.get("/<int:resource_id>/image")
@login_required
def image_file(resource_id: int):
    """The resource's picture, as re-encoded (no metadata), never sniffed as anything else."""
    resource = _resource_or_404(resource_id)
    if resource.image is None:
        abort(404)
    response = send_file(
        images.image_file(resource.image), mimetype=resource.image.mime_type, conditional=True, max_age=3600
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response


def _collections():
    return [collection for collection, _count in library_services.collections_with_counts()]


def _fields(form: ResourceForm) -> resources.ResourceFields:
    return resources.ResourceFields(
        title=form.title.data or "",
        caption=form.caption.data or "",
        topic=form.topic.data or "",
        collection=form.collection.data or "",
        published=form.published.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required(permissions.can_manage_library)
def new():
    form = NewResourceForm()
    form.video_id.choices = [SelectChoice(0, _("Choose a video"))] + [
        SelectChoice(video.id, video.original_filename) for video in resources.videos_to_choose()
    ]
    if form.validate_on_submit():
        try:
            if form.kind.data == "video":
                resource = resources.add_video_resource(current_user, _fields(form), form.video_id.data)
            else:
                upload = form.image.data
                if not upload or not getattr(upload, "filename", ""):
                    raise resources.ResourceError(_("Choose the picture to upload."))
                data = upload.read(images.max_bytes() + 1)
                resource = resources.add_image_resource(current_user, _fields(form), data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("The resource has been added to the library."), "success")
            return redirect(url_for("resources.view", resource_id=resource.id))
    return render_template("library/resource_form.html", form=form, resource=None, collections=_collections())


@bp.route("/<int:resource_id>/edit", methods=["GET", "POST"])
@permission_required(permissions.can_manage_library)
def edit(resource_id: int):
    resource = _changeable_resource_or_404(resource_id)
    form = ResourceForm(obj=resource)
    if request.method == "GET":
        form.collection.data = resource.collection.name
    if form.validate_on_submit():
        try:
            resources.update_resource(current_user, resource, _fields(form))
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("The resource has been saved."), "success")
            return redirect(url_for("resources.view", resource_id=resource.id))
    return render_template(
        "library/resource_form.html",
        form=form,
        resource=resource,
        confirm_form=ConfirmForm(),
        collections=_collections(),
    )


@bp.post("/<int:resource_id>/delete")
@permission_required(permissions.can_manage_library)
def delete(resource_id: int):
    resource = _changeable_resource_or_404(resource_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = resource.title
    resources.delete_resource(current_user, resource)
    flash(_("%(title)s has been deleted.", title=title), "success")
    return redirect(url_for("resources.browse"))
