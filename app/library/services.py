"""The library's operations: import, edit and delete documents, search them, remember reading positions.

Each function owns its transaction. A change to a document records, in the same transaction, that
the document's index entries are pending (``IndexPending``); after the commit the background job
``library.update_index`` (queued by name, ``app.jobs.enqueue``) brings the index in line and clears
the mark (at once, inside the request, in huey's immediate mode). A job lost to a crash or an unreachable queue leaves its mark,
and the worker queues it again when it starts (and every few minutes): the index is never stale
for good. ``flask library reindex`` rebuilds everything and clears the marks it covered.

A web request never rebuilds the index: when a search finds it missing or unreadable, it queues the
job ``library.rebuild_index`` once (a mark for ``REBUILD_MARK`` in the same table) and
answers from what is indexed, with a notice that the index is being rebuilt.
"""

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, delete, extract, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.errors import DomainError
from app.extensions import contains_pattern, db
from app.jobs import enqueue
from app.library import index, permissions
from app.library.importers import ImportRefused, ParsedDocument, clip, parse_file
from app.library.models import (
    Collection,
    Document,
    DocumentRevision,
    IndexPending,
    ReadingPosition,
    Section,
)
from app.timeutil import utcnow

log = logging.getLogger(__name__)

KEY_UNSAFE = re.compile(r"[^\w-]+")
MAX_FILE_BYTES = 16 * 1024 * 1024
INDEX_BATCH = 200  # documents per index commit (and per queued job) when many changed at once
# The pending mark meaning "rebuild the whole index" (document ids start at 1).
REBUILD_MARK = 0
# A mark older than this has surely lost its queue entry (the job takes well under a second).
STALE_MARK = timedelta(minutes=5)


# --- collections ------------------------------------------------------------------------------


def ensure_collection(name: str) -> Collection:
    """Return the collection called ``name``, creating it (uncommitted) when missing."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DomainError(_("A collection needs a name of at most 100 characters."))
    collection = db.session.scalar(select(Collection).where(Collection.name == name))
    if collection is None:
        collection = Collection(name=name)
        db.session.add(collection)
        db.session.flush()
    return collection


def collections_with_counts() -> list[tuple[Collection, int]]:
    statement = (
        select(Collection, func.count(Document.id))
        .outerjoin(Document, Document.collection_id == Collection.id)
        .group_by(Collection.id)
        .order_by(Collection.name)
    )
    return [(collection, count) for collection, count in db.session.execute(statement)]


def document_years() -> list[int]:
    year = extract("year", Document.date)
    statement = select(year).where(Document.date.is_not(None)).distinct().order_by(year.desc())
    return [int(value) for value in db.session.scalars(statement)]


def find_collection(value: str | int | None) -> Collection | None:
    """Find a collection by id or by name (the API accepts either)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit():
        found = db.session.get(Collection, int(text))
        if found is not None:
            return found
    return db.session.scalar(select(Collection).where(Collection.name == text))


# --- import -----------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    path: str
    status: str  # "imported", "updated" (its previous text kept as a revision), "unchanged" or "refused"
    document_id: int | None = None
    title: str = ""
    sections: int = 0
    reason: str = ""


@dataclass
class ImportReport:
    outcomes: list[ImportOutcome] = field(default_factory=list)

    @property
    def refused(self) -> list[ImportOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "refused"]

    # After the import: the changed documents already in the search index, and those still queued
    # for the worker (they become findable once it has run their job).
    indexed: list[int] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)

    @property
    def changed_ids(self) -> list[int]:
        return [
            outcome.document_id
            for outcome in self.outcomes
            if outcome.status in ("imported", "updated") and outcome.document_id
        ]


def expand_paths(paths: list[str | Path]) -> list[tuple[Path, str]]:
    """Each file with its name for the document key: files given by name, and every file under a
    folder given (recursively, in name order, hidden ones skipped) named by its path in that folder."""
    files: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path)
                if candidate.is_file() and not any(part.startswith(".") for part in relative.parts):
                    files.append((candidate, str(relative.with_suffix(""))))
        else:
            files.append((path, path.stem))
    return files


def import_paths(
    paths: list[str | Path], collection_name: str, index_now: bool = False, user: User | None = None
) -> ImportReport:
    """Import files and folders into a collection; each file is imported, updated, unchanged or refused.

    ``user`` is the account importing through the site (a course folder uploaded by a trainer): the
    new documents are theirs, and a changed file replaces only a document they may change (None: the
    command line, which may replace any).

    The changed documents are queued for the indexing job, or with ``index_now`` indexed here before
    returning; the report says which are in the index and which wait for the worker.
    """
    report = ImportReport()
    collection = ensure_collection(collection_name)
    db.session.commit()
    for path, name in expand_paths(paths):
        if not path.is_file():
            report.outcomes.append(ImportOutcome(str(path), "refused", reason=_("No such file.")))
            continue
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ImportRefused(_("The file is larger than 16 MB."))
            outcome = _import_one(path.name, path.read_bytes(), collection, name, user=user)
        except ImportRefused as error:
            db.session.rollback()
            outcome = ImportOutcome(str(path), "refused", reason=error.reason)
        outcome.path = str(path)
        report.outcomes.append(outcome)
    changed = sorted(set(report.changed_ids))
    if index_now:
        index_documents(changed)
    else:
        _update_index(changed)
    waiting = set(pending_document_ids()) & set(changed)
    report.queued = [i for i in changed if i in waiting]
    report.indexed = [i for i in changed if i not in waiting]
    db.session.commit()
    return report


def import_upload(
    filename: str, data: bytes, collection: Collection, user: User | None = None, replace: bool = False
) -> ImportOutcome:
    """Import one uploaded file; raise DomainError with the reason when it is refused.

    A file named like a document of the collection (the same key: ``xss.txt`` and ``xss.md``) but
    with other content is refused unless ``replace`` is asked for by the uploader of that document
    or an admin; the replaced text is kept as a revision. Without ``user`` (scripts, tests) it is
    the command line's rule: a changed file updates its document, keeping the previous text.
    """
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_("The file is larger than 16 MB."))
    try:
        name = Path(filename).name or "upload"
        outcome = _import_one(
            name, data, collection, Path(name).stem, user=user, replace=replace or user is None
        )
    except ImportRefused as error:
        db.session.rollback()
        raise DomainError(error.reason) from error
    if outcome.status != "unchanged" and outcome.document_id is not None:
        _update_index([outcome.document_id])
    return outcome


def _import_one(
    filename: str,
    data: bytes,
    collection: Collection,
    name: str,
    user: User | None = None,
    replace: bool = True,
) -> ImportOutcome:
    """Parse and store one file (committed). A file is known by its collection and name, or by its
    content: the same file again changes nothing. A changed one updates its document in place,
    keeping the previous text as a revision, only when ``replace`` is set and ``user`` (None: the
    command line) may replace that document; otherwise it is refused and nothing changes."""
    digest = hashlib.sha256(data).hexdigest()
    key = document_key(name)
    document = db.session.scalar(
        select(Document).where(Document.key == key, Document.collection_id == collection.id)
    )
    if document is None or document.content_hash != digest:
        # The same bytes under another name (a folder added from another root, or a law filed
        # under two branches) are the same document.
        document = (
            db.session.scalar(
                select(Document).where(
                    Document.content_hash == digest, Document.collection_id == collection.id
                )
            )
            or document
        )
    if document is not None and document.content_hash == digest:
        return ImportOutcome(filename, "unchanged", document.id, document.title, len(document.sections))
    if document is not None and user is not None:
        if not replace:
            raise ImportRefused(
                _(
                    "The collection already holds a document with the identifier %(key)s (%(title)s): "
                    "it was not replaced. Rename the file to add it as a new document, or tick "
                    "“Replace” to replace its text (its current text is kept as a revision).",
                    key=document.key,
                    title=document.title,
                )
            )
        if not permissions.can_change_document(user, document):
            raise ImportRefused(
                _(
                    "The document %(title)s (%(key)s) was added by someone else: only they or an "
                    "administrator may replace it. Rename the file to add it as a new document.",
                    key=document.key,
                    title=document.title,
                )
            )
    parsed = parse_file(filename, data)
    status = "updated"
    if document is None:
        status = "imported"
        document = Document(
            key=_free_key(key), collection=collection, imported_by_id=user.id if user is not None else None
        )
        db.session.add(document)
    else:
        _keep_revision(document, user)
    _fill_document(document, parsed, digest)
    db.session.flush()
    _mark_for_indexing([document.id])
    db.session.commit()
    return ImportOutcome(filename, status, document.id, document.title, len(document.sections))


def _keep_revision(document: Document, replaced_by: User | None) -> DocumentRevision:
    """Keep the document's current text before a new file replaces it (caller's transaction)."""
    number = 1 + (
        db.session.scalar(
            select(func.max(DocumentRevision.number)).where(DocumentRevision.document_id == document.id)
        )
        or 0
    )
    revision = DocumentRevision(
        document_id=document.id,
        number=number,
        title=document.title,
        source_format=document.source_format,
        content_hash=document.content_hash,
        sections=[
            {
                "position": section.position,
                "level": section.level,
                "heading": section.heading,
                "anchor": section.anchor,
                "text": section.text,
            }
            for section in document.sections
        ],
        replaced_by_id=replaced_by.id if replaced_by is not None else None,
    )
    db.session.add(revision)
    return revision


def document_revisions(document: Document) -> list[DocumentRevision]:
    """The texts files have replaced, oldest first."""
    return list(
        db.session.scalars(
            select(DocumentRevision)
            .where(DocumentRevision.document_id == document.id)
            .order_by(DocumentRevision.number)
        )
    )


def document_key(stem: str) -> str:
    key = KEY_UNSAFE.sub("-", stem.strip().lower()).strip("-")
    return key[:100] or "document"


def _free_key(key: str) -> str:
    candidate, number = key, 1
    while db.session.scalar(select(func.count(Document.id)).where(Document.key == candidate)):
        number += 1
        candidate = f"{key}-{number}"
    return candidate


def _fill_document(document: Document, parsed: ParsedDocument, digest: str) -> None:
    document.title = parsed.title
    document.author = document.author or parsed.author
    document.date = parsed.date or document.date
    document.source = document.source or parsed.source
    document.tags = document.tags or ", ".join(parsed.tags)[:500]
    document.source_format = parsed.source_format
    document.content_hash = digest
    document.sections.clear()
    db.session.flush()
    for position, parsed_section in enumerate(parsed.sections):
        document.sections.append(
            Section(
                position=position,
                level=parsed_section.level,
                heading=clip(parsed_section.heading, 300),
                anchor=f"s{position + 1}",
                text=parsed_section.text,
            )
        )


# --- keeping the search index in line ---------------------------------------------------------


def _mark_for_indexing(document_ids: list[int]) -> None:
    """Record, in the caller's transaction, that these documents' index entries are to be redone.

    Each mark gets a new token, so a job that read the previous one leaves this newer mark in place.
    """
    if not document_ids:
        return
    rows = [{"document_id": i, "token": secrets.token_hex(8), "queued_at": utcnow()} for i in document_ids]
    dialect = db.session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = (sqlite if dialect == "sqlite" else postgresql).insert(IndexPending).values(rows)
        excluded = insert.excluded
        db.session.execute(
            insert.on_conflict_do_update(
                index_elements=[IndexPending.document_id],
                set_={"token": excluded.token, "queued_at": excluded.queued_at},
            )
        )
    else:
        for row in rows:
            db.session.merge(IndexPending(**row))


def _update_index(document_ids: list[int]) -> None:
    """Queue the index update of these (committed, marked) documents; in immediate mode it runs now."""
    ids = sorted(set(document_ids))
    for start in range(0, len(ids), INDEX_BATCH):
        batch = ids[start : start + INDEX_BATCH]
        try:
            enqueue("library.update_index", batch)
        except Exception:
            # The marks stay: the worker queues these documents again when it starts.
            log.exception("could not queue the index update of documents %s", batch)


def index_documents(document_ids: list[int]) -> int:
    """Bring the index in line with the database for these documents (what the job runs).

    Reads the marks first, then the documents (so what gets indexed is at least as new as each mark
    read), and clears only the marks no newer change has replaced meanwhile. Returns how many
    documents were indexed or removed.
    """
    ids = sorted(set(document_ids))
    for start in range(0, len(ids), INDEX_BATCH):
        batch = ids[start : start + INDEX_BATCH]
        marks = list(
            db.session.execute(
                select(IndexPending.document_id, IndexPending.token).where(
                    IndexPending.document_id.in_(batch)
                )
            )
        )
        index.update_documents(batch)
        _clear_marks(marks)
    return len(ids)


def _clear_marks(marks: Sequence[Iterable[object]]) -> None:
    if marks:
        db.session.execute(
            delete(IndexPending).where(
                tuple_(IndexPending.document_id, IndexPending.token).in_([tuple(mark) for mark in marks])
            )
        )
    db.session.commit()


def _queue_rebuild() -> None:
    try:
        enqueue("library.rebuild_index")
    except Exception:
        # The mark stays: the worker checks the index and queues the marks again when it starts.
        log.exception("could not queue the rebuild of the search index")


def request_rebuild() -> bool:
    """Queue the rebuild of a missing or unreadable index, once: a mark younger than the stale delay
    means a rebuild is already queued. Returns whether a job was queued (it runs at once in
    immediate mode)."""
    recent = db.session.scalar(
        select(func.count(IndexPending.document_id)).where(
            IndexPending.document_id == REBUILD_MARK, IndexPending.queued_at >= utcnow() - STALE_MARK
        )
    )
    if recent:
        return False
    _mark_for_indexing([REBUILD_MARK])
    db.session.commit()
    _queue_rebuild()
    return True


def rebuild_index_if_unusable() -> bool:
    """Rebuild the index if a search found it unusable (the job ``request_rebuild`` queues).

    It is rebuilt when it is missing or cannot be opened, and also when the current generation is
    older than the request (a search could open it but not read it); not when a newer generation
    was swapped in since (an update or a reindex rebuilt it meanwhile). Clears the rebuild mark, and
    after a rebuild every mark read before it started (the rebuild covered them). Returns whether
    it rebuilt.
    """
    marks = list(
        db.session.execute(select(IndexPending.document_id, IndexPending.token, IndexPending.queued_at))
    )
    db.session.commit()
    requested = next((queued_at for document_id, _, queued_at in marks if document_id == REBUILD_MARK), None)
    target = index.library_index()
    swapped = target.swapped_at()
    if requested is not None and swapped is not None and swapped < requested:
        index.rebuild(target)
        target.close()
        rebuilt = True
    else:
        rebuilt = index.ensure_index(target)
    _clear_marks([(mark[0], mark[1]) for mark in marks if rebuilt or mark[0] == REBUILD_MARK])
    return rebuilt


def index_is_behind() -> bool:
    """Whether some change is still waiting for the indexing job."""
    return db.session.scalar(select(IndexPending.document_id).limit(1)) is not None


def pending_document_ids(older_than: timedelta | None = None) -> list[int]:
    statement = select(IndexPending.document_id).order_by(IndexPending.document_id)
    if older_than is not None:
        statement = statement.where(IndexPending.queued_at < utcnow() - older_than)
    return list(db.session.scalars(statement))


def requeue_pending_index_updates(older_than: timedelta | None = None) -> int:
    """Queue again the index updates a crash or a lost queue entry left undone; return how many."""
    ids = pending_document_ids(older_than)
    db.session.commit()
    if REBUILD_MARK in ids:
        ids.remove(REBUILD_MARK)
        _queue_rebuild()
    _update_index(ids)
    return len(ids)


def ensure_index() -> bool:
    """Rebuild the index when it is missing or unreadable, then queue what is still pending.

    Returns whether the index was rebuilt.
    """
    rebuilt = index.ensure_index()
    requeue_pending_index_updates()
    return rebuilt


def rebuild_index(procs: int = 1) -> int:
    """Rebuild the whole index from the database (``flask library reindex``); clear the marks it
    covered, that is the ones read before it started. Returns the number of sections indexed."""
    marks = list(db.session.execute(select(IndexPending.document_id, IndexPending.token)))
    sections = index.rebuild(procs=procs)
    _clear_marks(marks)
    return sections


# --- editing and deleting ---------------------------------------------------------------------


@dataclass
class DocumentChanges:
    title: str
    author: str
    date: date | None
    source: str
    tags: str
    collection_name: str
    key: str


def update_metadata(document: Document, changes: DocumentChanges) -> Document:
    """Change a document's title, metadata, collection or key, then refresh its index entries."""
    title = " ".join(changes.title.split())
    if not title:
        raise DomainError(_("A document needs a title."))
    key = document_key(changes.key or document.key)
    clash = db.session.scalar(select(Document.id).where(Document.key == key, Document.id != document.id))
    if clash:
        raise DomainError(_("Another document already uses the identifier %(key)s.", key=key))
    tags = ", ".join(tag.strip() for tag in re.split(r"[,，、;；]", changes.tags) if tag.strip())
    if len(tags) > 500:
        raise DomainError(_("The tags are too long (at most 500 characters)."))
    document.collection = ensure_collection(changes.collection_name)
    document.title = clip(title, 300)
    document.author = clip(changes.author, 200)
    document.date = changes.date
    document.source = clip(changes.source, 500)
    document.tags = tags
    document.key = key
    _mark_for_indexing([document.id])
    db.session.commit()
    _update_index([document.id])
    return document


def delete_document(document: Document) -> None:
    """Delete a document with its sections and reading positions, and drop it from the index."""
    document_id = document.id
    db.session.execute(
        delete(ReadingPosition)
        .where(ReadingPosition.document_id == document_id)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(document)
    _mark_for_indexing([document_id])
    db.session.commit()
    _update_index([document_id])


# --- reading ----------------------------------------------------------------------------------


def documents_query(collection_id: int | None = None) -> Select[Document]:
    statement = (
        select(Document)
        .options(selectinload(Document.collection))
        .order_by(Document.collection_id, Document.date.desc().nulls_last(), Document.title)
    )
    if collection_id is not None:
        statement = statement.where(Document.collection_id == collection_id)
    return statement


def get_document(document_id: int) -> Document | None:
    return db.session.get(Document, document_id)


def get_document_by_key(key: str) -> Document | None:
    """Find a document by the identifier reading lessons use."""
    return db.session.scalar(select(Document).where(Document.key == key))


def find_section(document: Document, reference: str | None) -> Section | None:
    """The section a reading lesson names: by its anchor ("s3") or by its heading ("二、义务方面的要点")."""
    wanted = " ".join((reference or "").split())
    if not wanted:
        return None
    by_anchor = next((section for section in document.sections if section.anchor == wanted), None)
    return by_anchor or next(
        (section for section in document.sections if " ".join(section.heading.split()) == wanted), None
    )


def reading_target_problem(key: str, section: str | None) -> tuple[str, str] | None:
    """Why a reading lesson's document or section points at nothing in the library, as (the field at
    fault, "document" or "section"; the message), or None when both exist."""
    document = get_document_by_key(key)
    if document is None:
        return "document", _(
            "the theory library has no document with the identifier %(key)s; import the document first "
            "or choose one that exists",
            key=key,
        )
    if section and find_section(document, section) is None:
        return "section", _(
            'the document "%(title)s" has no section "%(section)s"', title=document.title, section=section
        )
    return None


def pickable_documents(text: str, limit: int = 20) -> list[Document]:
    """Documents whose title or identifier contains ``text`` (all of them when empty), by title."""
    statement = select(Document).options(selectinload(Document.collection)).order_by(Document.title)
    for word in (text or "").split()[:5]:
        pattern = contains_pattern(word)
        statement = statement.where(
            Document.title.ilike(pattern, escape="\\") | Document.key.ilike(pattern, escape="\\")
        )
    return list(db.session.scalars(statement.limit(limit)))


def reading_position(user: User, document: Document) -> str | None:
    return db.session.scalar(
        select(ReadingPosition.anchor).where(
            ReadingPosition.user_id == user.id, ReadingPosition.document_id == document.id
        )
    )


def remember_position(user: User, document: Document, anchor: str) -> str:
    """Store where the member is in the document (one row per member and document)."""
    if not db.session.scalar(
        select(func.count(Section.id)).where(Section.document_id == document.id, Section.anchor == anchor)
    ):
        raise DomainError(_("This document has no such section."))
    position = db.session.scalar(
        select(ReadingPosition).where(
            ReadingPosition.user_id == user.id, ReadingPosition.document_id == document.id
        )
    )
    if position is None:
        db.session.add(ReadingPosition(user_id=user.id, document_id=document.id, anchor=anchor))
    else:
        position.anchor = anchor
    db.session.commit()
    return anchor


# --- search -----------------------------------------------------------------------------------


@dataclass
class SearchResult:
    document_id: int
    title: str
    collection: str
    section_anchor: str
    section_heading: str
    snippet: str
    score: float
    date: date | None

    def as_json(self) -> dict[str, object]:
        return {
            "document_id": self.document_id,
            "title": self.title,
            "collection": self.collection,
            "section_anchor": self.section_anchor,
            "section_heading": self.section_heading,
            "snippet": self.snippet,
            "score": self.score,
            "date": self.date.isoformat() if self.date else None,
        }


@dataclass
class SearchPage:
    query: str
    results: list[SearchResult]
    total: int
    page: int
    page_size: int
    suggestion: str | None
    # "ready"; "rebuilding": the index is missing, a job rebuilds it, nothing can be found meanwhile;
    # "updating": recent changes wait for the indexing job and may be missing from the results.
    index_status: str = "ready"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def notice(self) -> str | None:
        if self.index_status == "rebuilding":
            return _(
                "The search index is being rebuilt, so documents cannot be found yet. "
                "Please search again in a few minutes."
            )
        if self.index_status == "updating":
            return _(
                "The search index is being updated: documents changed in the last few minutes "
                "may be missing from the results."
            )
        return None

    def as_json(self) -> dict[str, object]:
        return {
            "query": self.query,
            "page": self.page,
            "pages": self.pages,
            "total": self.total,
            "suggestion": self.suggestion,
            "index_status": self.index_status,
            "notice": self.notice,
            "results": [result.as_json() for result in self.results],
        }


def search_library(
    text: str,
    *,
    collection: Collection | None = None,
    year: int | None = None,
    sort: str = "relevance",
    page: int = 1,
) -> SearchPage:
    """Search every document a member may read (all of them) and describe the hits from the database.

    Never rebuilds the index: a missing or unreadable one gets its rebuild queued (once) and the
    page says so; changes still waiting for the indexing job are announced too.
    """
    options: dict[str, Any] = {
        "collection_id": collection.id if collection else None,
        "year": year,
        "sort": "date" if sort == "date" else "relevance",
        "page": page,
    }
    status = "ready"
    try:
        found = index.search(text or "", **options)
    except index.IndexUnavailable as error:
        log.warning("search index unavailable (%s): queueing its rebuild", error)
        request_rebuild()
        try:
            found = index.search(text or "", **options)  # rebuilt already when jobs run immediately
        except index.IndexUnavailable:
            found = index.IndexResults(hits=[], total=0, page=max(1, min(page, 1000)))
            status = "rebuilding"
    if status == "ready" and index_is_behind():
        status = "updating"
    ids = [hit.document_id for hit in found.hits]
    documents = {
        document.id: document
        for document in db.session.scalars(
            select(Document).where(Document.id.in_(ids)).options(selectinload(Document.collection))
        )
    }
    results = [
        SearchResult(
            document_id=hit.document_id,
            title=documents[hit.document_id].title,
            collection=documents[hit.document_id].collection.name,
            section_anchor=hit.anchor,
            section_heading=hit.heading,
            snippet=hit.snippet,
            score=hit.score,
            date=documents[hit.document_id].date,
        )
        for hit in found.hits
        if hit.document_id in documents  # deleted meanwhile: the index catches up on its next update
    ]
    return SearchPage(
        query=index.clean_query_text(text or ""),
        results=results,
        total=found.total,
        page=found.page,
        page_size=index.PAGE_SIZE,
        suggestion=found.suggestion,
        index_status=status,
    )
