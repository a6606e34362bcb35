"""The library's background jobs: thin huey wrappers over the services.

The services queue them by name (``app.jobs.enqueue("library.update_index", ids)``); the library's
``init_app`` imports this module, so the tasks are known wherever the app runs, the worker included.
"""

import logging

from huey import crontab

from app.extensions import db
from app.jobs import app_task, on_worker_start
from app.library import index, services

log = logging.getLogger(__name__)


@app_task()
def update_index(document_ids: list[int]) -> int:
    """Bring the search index in line with the database for these documents (changed or deleted)."""
    try:
        return services.index_documents(document_ids)
    except BaseException:
        db.session.rollback()  # the marks stay: the documents are queued again later
        raise


@app_task()
def rebuild_index() -> bool:
    """Rebuild the search index if it is missing or unreadable (a search found it so and queued this)."""
    try:
        return services.rebuild_index_if_unusable()
    except BaseException:
        db.session.rollback()  # the mark stays: the worker queues the rebuild again when it starts
        raise


@on_worker_start
def requeue_pending_index_updates() -> int:
    """Check the index (rebuilt if missing or damaged) and queue again what a crash left pending."""
    try:
        index.ensure_index()
    except Exception:  # the worker still starts (its other jobs need it); a search queues a rebuild
        log.exception("the search index could not be checked or rebuilt")
    return services.requeue_pending_index_updates()


@app_task(schedule=crontab(minute="*/10"))
def requeue_stale_index_updates() -> int:
    """Every ten minutes, queue again the marks whose queue entry was lost while the worker ran."""
    return services.requeue_pending_index_updates(older_than=services.STALE_MARK)


@app_task()
def update_resource_index(resource_ids: list[int]) -> None:
    """Bring the resources' search index in line with the database for these resources."""
    try:
        index.update_resources(resource_ids)
    finally:
        db.session.rollback()


@app_task()
def rebuild_resource_index() -> int:
    """Rebuild the resources' search index (a search found it missing or unreadable)."""
    try:
        return index.rebuild_resources()
    finally:
        db.session.rollback()


@on_worker_start
def ensure_resource_index() -> bool:
    """Build the resources' index when it is missing or unreadable (a new site, a restored backup)."""
    try:
        index.resource_index().open_index().close()
    except index.IndexUnavailable:
        index.rebuild_resources()
        return True
    finally:
        db.session.rollback()
    return False
