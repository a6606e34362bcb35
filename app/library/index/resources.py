"""The resources' index: the library's pictures and videos, in the same engine as the documents.

One whoosh document per resource (``doc`` is the resource's id), in its own folder
(SEARCH_INDEX_DIR/resources), written by the library's jobs and searched like the documents'.
"""

from collections.abc import Iterable
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.library.index.building import Record, _rebuild_locked, write_records
from app.library.index.storage import IndexUnavailable, LibraryIndex, library_index
from app.library.models import Resource

RESOURCES_FOLDER = "resources"


def resource_index() -> LibraryIndex:
    """The index of the library's pictures and videos."""
    return library_index(Path(current_app.config["SEARCH_INDEX_DIR"]) / RESOURCES_FOLDER)


def resource_record(resource: Resource) -> Record:
    """A resource as one whoosh document: its title, its topic as heading and tag, its caption and
    the words of its video's subtitles as body."""
    captions = [subtitle.cue_text for subtitle in resource.video.subtitles] if resource.video else []
    when = resource.created_at.date()
    return {
        "key": f"r{resource.id}",
        "doc": str(resource.id),
        "anchor": "",
        "title": resource.title,
        "heading": resource.topic,
        "body": "\n\n".join(part for part in (resource.caption, *captions) if part),
        "collection": str(resource.collection_id),
        "tags": resource.topic,
        "year": when.year,
        "date": int(f"{when:%Y%m%d}"),
    }


def _resource_records(ids: Iterable[int] | None = None) -> list[Record]:
    statement = select(Resource).where(Resource.published.is_(True)).order_by(Resource.id)
    if ids is not None:
        statement = statement.where(Resource.id.in_(list(ids)))
    return [resource_record(resource) for resource in db.session.scalars(statement)]


def update_resources(resource_ids: Iterable[int], target: LibraryIndex | None = None) -> None:
    """Bring the resources' index in line with the database for these resources (the job does)."""
    ids = sorted(set(resource_ids))
    target = target or resource_index()
    with target.write_lock():
        try:
            ix = target.open_index()
        except IndexUnavailable:
            _rebuild_locked(target, records=_resource_records)
            return
        write_records(ix, ids, _resource_records(ids))
        ix.close()


def rebuild_resources(target: LibraryIndex | None = None) -> int:
    """Rebuild the resources' index from the database; return the number of resources indexed."""
    target = target or resource_index()
    with target.write_lock():
        return _rebuild_locked(target, records=_resource_records)
