"""Writing the index: updating documents in place, and full rebuilds into a new generation.

A rebuild may fork whoosh's indexing helpers (``procs`` > 1); each is tied to the rebuilding process
(``app.processes.die_with_parent``), so a rebuild killed even by SIGKILL leaves no orphaned helper
holding the write lock.
"""

import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from whoosh import index
from whoosh.writing import IndexWriter

from app.extensions import db
from app.library.index.analysis import make_schema
from app.library.index.storage import IndexUnavailable, LibraryIndex, library_index
from app.library.models import Document
from app.processes import die_with_parent

log = logging.getLogger(__name__)

Record = dict[str, str | int]  # one whoosh document: a section


def section_records(document: Document) -> Iterator[Record]:
    """The whoosh documents of one library document: one per section."""
    when = document.date
    for section in document.sections:
        yield {
            "key": f"{document.id}:{section.position}",
            "doc": str(document.id),
            "anchor": section.anchor,
            "title": document.title,
            "heading": section.heading,
            "body": section.text,
            "collection": str(document.collection_id),
            "tags": ",".join(document.tag_list),
            "year": when.year if when else 0,
            "date": int(f"{when:%Y%m%d}") if when else 0,
        }


def _load_documents(ids: Iterable[int]) -> list[Document]:
    statement = select(Document).where(Document.id.in_(list(ids))).options(selectinload(Document.sections))
    return list(db.session.scalars(statement))


def update_documents(document_ids: Iterable[int], target: LibraryIndex | None = None) -> None:
    """Bring the index in line with the database for these documents (added, edited or deleted).

    Synchronous for now; it is the function a background job calls once the job queue exists.
    """
    ids = sorted(set(document_ids))
    if not ids:
        return
    target = target or library_index()
    with target.write_lock():
        if target.current_generation() is None:
            _rebuild_locked(target)  # the full build includes these documents
            return
        try:
            ix = target.open_index()
        except IndexUnavailable:
            _rebuild_locked(target)
            return
        records = [record for document in _load_documents(ids) for record in section_records(document)]
        write_records(ix, ids, records)
        ix.close()


def write_records(ix: index.FileIndex, document_ids: list[int], records: Iterable[Record]) -> None:
    """Replace the sections of these documents with ``records`` in one commit."""
    writer = ix.writer(compound=False, timeout=30.0)
    try:
        for document_id in document_ids:
            writer.delete_by_term("doc", str(document_id))
        for record in records:
            writer.add_document(**record)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def update_document(document_id: int) -> None:
    update_documents([document_id])


# Set while this process may fork whoosh's indexing helpers (``procs`` > 1).
# Set while this process may fork whoosh's indexing helpers (``procs`` > 1).
_forking_index_helpers = False


def _tie_index_helper_to_parent() -> None:
    """In a forked indexing helper: be killed when the rebuilding process dies, even by SIGKILL.

    A helper inherits the write lock's file; an orphaned one would wait for work forever holding it,
    and every later update or rebuild would wait too.
    """
    if _forking_index_helpers:
        die_with_parent(os.getppid())


os.register_at_fork(after_in_child=_tie_index_helper_to_parent)


@contextmanager
def _index_helpers_tied_to_this_process(procs: int) -> Iterator[None]:
    global _forking_index_helpers
    _forking_index_helpers = procs > 1
    try:
        yield
    finally:
        _forking_index_helpers = False


def rebuild(target: LibraryIndex | None = None, procs: int = 1, batch_size: int = 200) -> int:
    """Build a new generation from the database and swap it in; return the number of sections."""
    target = target or library_index()
    with target.write_lock(), _index_helpers_tied_to_this_process(procs):
        return _rebuild_locked(target, procs=procs, batch_size=batch_size)


def _all_section_records(batch_size: int) -> Iterator[Record]:
    ids = list(db.session.scalars(select(Document.id).order_by(Document.id)))
    for start in range(0, len(ids), batch_size):
        for document in _load_documents(ids[start : start + batch_size]):
            yield from section_records(document)
        db.session.expire_all()
        _after_batch(start + batch_size)


def full_build_writer(ix: index.FileIndex, procs: int) -> IndexWriter:
    """The writer of a full build: ``procs`` processes, each adding its own segment (no final merge),
    plain files rather than one compound file, and 128 MB of postings in memory per process
    (benchmarks/library_search.py measures these settings)."""
    return ix.writer(procs=procs, multisegment=procs > 1, compound=False, limitmb=128)


def _rebuild_locked(
    target: LibraryIndex,
    procs: int = 1,
    batch_size: int = 200,
    records: Callable[[], Iterable[Record]] | None = None,
) -> int:
    """Build a new generation of ``records()`` (default: every document's sections) and swap it in."""
    previous = target.current_generation()
    target._clean_up(keep={previous} if previous else set())
    generation = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
    building = target.root / f"{generation}.building"
    building.mkdir(parents=True)
    ix = index.create_in(str(building), make_schema())
    writer = full_build_writer(ix, procs)
    sections = 0
    try:
        for record in records() if records else _all_section_records(batch_size):
            writer.add_document(**record)
            sections += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()
    building.rename(target.root / generation)
    target._swap(generation)
    target._clean_up(keep={generation, previous} if previous else {generation})
    log.info("search index rebuilt: %s sections in %s", sections, generation)
    return sections


def _after_batch(done: int) -> None:
    """A seam for tests that simulate a crash in the middle of a rebuild."""


def ensure_index(target: LibraryIndex | None = None) -> bool:
    """Rebuild the index when it is missing or unreadable; return whether it was rebuilt."""
    target = target or library_index()
    try:
        target.open_index().close()
    except IndexUnavailable:
        rebuild(target)
        target.close()
        return True
    return False
