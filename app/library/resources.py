"""The library's pictures and videos (resources): browsing by collection and topic, search, managing.

Resources share the documents' collections and search engine (app/library/index.py keeps them in an
index folder of their own). A video resource shows a video of the media library (uploaded and
transcoded there); watching it is verified by the progress side's heartbeats, which this domain does
not import: the domain that plays resources registers its ``player_providers`` (the state the
resource page gives its player) from its ``init_app``. Members see published resources only.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.audit.services import record_audit
from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.jobs import enqueue
from app.library import index, permissions
from app.library.models import Collection, Resource, ResourceKind
from app.library.services import ensure_collection
from app.media import images
from app.media.models import Video, VideoStatus

log = logging.getLogger(__name__)

PAGE_SIZE = 24
# (member, resource) -> the player's state for a video resource, or None (video not ready).
PlayerProvider = Callable[[User, Resource], dict[str, object] | None]
player_providers: list[PlayerProvider] = []


class ResourceError(DomainError):
    pass


# --- reading ------------------------------------------------------------------------------------


def visible_resources(user: User) -> Select[Resource]:
    """The resources ``user`` may see: published ones, and every one for librarians."""
    statement = select(Resource).options(selectinload(Resource.collection))
    if permissions.can_manage_library(user):
        return statement
    return statement.where(Resource.published.is_(True))


def browse(
    user: User, collection_id: int | None = None, topic: str | None = None, kind: ResourceKind | None = None
) -> Select[Resource]:
    statement = visible_resources(user)
    if collection_id is not None:
        statement = statement.where(Resource.collection_id == collection_id)
    if topic:
        statement = statement.where(Resource.topic == topic)
    if kind is not None:
        statement = statement.where(Resource.kind == kind)
    return statement.order_by(Resource.created_at.desc(), Resource.id.desc())


def get_resource(user: User, resource_id: int) -> Resource | None:
    return db.session.execute(visible_resources(user).where(Resource.id == resource_id)).scalar_one_or_none()


def topics(user: User) -> list[tuple[str, int]]:
    """The topics of the resources ``user`` may see, with how many each has, by name."""
    visible = visible_resources(user).where(Resource.topic != "").subquery()
    rows = db.session.execute(
        select(visible.c.topic, func.count()).group_by(visible.c.topic).order_by(visible.c.topic)
    )
    return [(topic, count) for topic, count in rows]


def collections_with_resources(user: User) -> list[tuple[Collection, int]]:
    visible = visible_resources(user).subquery()
    rows = db.session.execute(
        select(Collection, func.count(visible.c.id))
        .join(visible, visible.c.collection_id == Collection.id)
        .group_by(Collection.id)
        .order_by(Collection.name)
    )
    return [(collection, count) for collection, count in rows]


def player_state(member: User, resource: Resource) -> dict[str, object] | None:
    """The state of the player of a video resource, from the domain that verifies watching."""
    if resource.kind is not ResourceKind.VIDEO:
        return None
    for provider in player_providers:
        state = provider(member, resource)
        if state is not None:
            return state
    return None


@dataclass
class ResourceHit:
    resource: Resource
    snippet: str


@dataclass
class ResourceSearch:
    query: str
    hits: list[ResourceHit]
    total: int
    page: int
    unavailable: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // index.PAGE_SIZE))


def search(
    user: User, text: str, collection_id: int | None = None, topic: str | None = None, page: int = 1
) -> ResourceSearch:
    """Search the titles, topics, captions and subtitles of the resources ``user`` may see."""
    try:
        found = index.search(
            text or "", collection_id=collection_id, tag=topic, page=page, target=index.resource_index()
        )
    except index.IndexUnavailable as error:
        log.warning("resource index unavailable (%s): queueing its rebuild", error)
        _queue_index(None)
        return ResourceSearch(index.clean_query_text(text or ""), [], 0, page, unavailable=True)
    ids = [hit.document_id for hit in found.hits]
    resources = {
        resource.id: resource
        for resource in db.session.execute(visible_resources(user).where(Resource.id.in_(ids))).scalars()
    }
    hits = [
        ResourceHit(resources[hit.document_id], hit.snippet)
        for hit in found.hits
        if hit.document_id in resources
    ]
    return ResourceSearch(index.clean_query_text(text or ""), hits, found.total, found.page)


# --- watching a video through a resource (the media domain asks) -------------------------------


def count_video_uses(video: Video) -> int:
    return db.session.execute(
        select(func.count(Resource.id)).where(Resource.video_id == video.id)
    ).scalar_one()


def video_shown_to(user: User, video: Video) -> bool:
    """Whether a published resource shows ``video`` (every signed-in member sees those)."""
    return user.is_authenticated and (
        db.session.scalar(
            select(Resource.id).where(Resource.video_id == video.id, Resource.published.is_(True)).limit(1)
        )
        is not None
    )


# --- managing -----------------------------------------------------------------------------------


@dataclass
class ResourceFields:
    title: str
    caption: str
    topic: str
    collection: str
    published: bool = True


def _clean(fields: ResourceFields) -> ResourceFields:
    title = " ".join((fields.title or "").split())
    topic = " ".join((fields.topic or "").split())
    caption = (fields.caption or "").strip()
    if not 1 <= len(title) <= 200:
        raise ResourceError(_("Give the resource a title of at most 200 characters."))
    if len(topic) > 100 or "," in topic:
        raise ResourceError(_("A topic has at most 100 characters and no commas."))
    if len(caption) > 5000:
        raise ResourceError(_("A caption has at most 5000 characters."))
    return ResourceFields(title, caption, topic, fields.collection, bool(fields.published))


def _require_librarian(user: User) -> None:
    if not permissions.can_manage_library(user):
        raise ResourceError(_("Only trainers and administrators manage the library's resources."))


def _require_change_of(user: User, resource: Resource) -> None:
    if not permissions.can_change_resource(user, resource):
        raise ResourceError(
            _("Only the trainer who added this resource, or an admin, may change or delete it.")
        )


def reindex_video_resources(video: Video) -> None:
    """Queue the index update of the resources showing ``video`` (its subtitles changed)."""
    ids = list(db.session.scalars(select(Resource.id).where(Resource.video_id == video.id)))
    if ids:
        _queue_index(ids)


def _queue_index(resource_ids: list[int] | None) -> None:
    """Queue the index update (a full rebuild for None); the worker is whoosh's one writer."""
    try:
        if resource_ids is None:
            enqueue("library.rebuild_resource_index")
        else:
            enqueue("library.update_resource_index", resource_ids)
    except Exception:  # the worker rebuilds a missing index when it starts; `library reindex` too
        log.exception("could not queue the resource index update")


def _audit_detail(resource: Resource) -> dict[str, object]:
    return {
        "kind": resource.kind.value,
        "title": resource.title,
        "topic": resource.topic,
        "collection_id": resource.collection_id,
        "video_id": resource.video_id,
        "image_id": resource.image_id,
        "published": resource.published,
    }


def add_image_resource(user: User, fields: ResourceFields, data: bytes) -> Resource:
    """Upload a picture (checked, re-encoded, counted against the quotas) as a new resource."""
    _require_librarian(user)
    fields = _clean(fields)
    image = images.upload_image(data, user)  # counted first (in its own transaction), then checked
    collection = ensure_collection(fields.collection)
    return _add(user, fields, collection, ResourceKind.IMAGE, image_id=image.id)


def add_video_resource(user: User, fields: ResourceFields, video_id: int) -> Resource:
    """Show a video of the media library as a new resource."""
    _require_librarian(user)
    fields = _clean(fields)
    video = db.session.get(Video, video_id)
    if video is None or video.status is VideoStatus.FAILED:
        raise ResourceError(_("Choose a video of the video library that is ready or being prepared."))
    collection = ensure_collection(fields.collection)
    return _add(user, fields, collection, ResourceKind.VIDEO, video_id=video.id)


def _add(
    user: User, fields: ResourceFields, collection: Collection, kind: ResourceKind, **media: int
) -> Resource:
    resource = Resource(
        kind=kind,
        title=fields.title,
        caption=fields.caption,
        topic=fields.topic,
        collection_id=collection.id,
        published=fields.published,
        created_by_id=user.id,
        **media,
    )
    db.session.add(resource)
    db.session.flush()
    record_audit(user, "resource.create", "resource", resource.id, _audit_detail(resource))
    db.session.commit()
    _queue_index([resource.id])
    return resource


def update_resource(user: User, resource: Resource, fields: ResourceFields) -> Resource:
    _require_change_of(user, resource)
    fields = _clean(fields)
    collection = ensure_collection(fields.collection)
    before = _audit_detail(resource)
    resource.title, resource.caption, resource.topic = fields.title, fields.caption, fields.topic
    resource.collection_id, resource.published = collection.id, fields.published
    db.session.flush()
    after = _audit_detail(resource)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        record_audit(user, "resource.update", "resource", resource.id, changed)
    db.session.commit()
    _queue_index([resource.id])
    return resource


def delete_resource(user: User, resource: Resource) -> None:
    """Delete a resource (its picture or video stays in the media library; credits keep their title)."""
    _require_change_of(user, resource)
    resource_id = resource.id
    record_audit(user, "resource.delete", "resource", resource_id, _audit_detail(resource))
    db.session.delete(resource)
    db.session.commit()
    _queue_index([resource_id])


def videos_to_choose() -> list[Video]:
    """The videos a librarian may show as resources: every one not failed, newest first."""
    return list(
        db.session.scalars(
            select(Video)
            .where(Video.status != VideoStatus.FAILED)
            .order_by(Video.created_at.desc())
            .limit(200)
        )
    )
