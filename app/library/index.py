"""The search index: the only module that touches whoosh.

One whoosh document per section (so a hit points at its section), collapsed to the best section per
library document at query time. The index is a rebuildable copy of the database:

- ``SEARCH_INDEX_DIR/current`` is a symlink to a generation folder (``gen-...``). ``rebuild()`` writes
  a new generation beside it and swaps the link with one atomic rename: a crash mid-way leaves the
  old generation answering, and readers are never blocked.
- Segments are written with ``compound=False`` and each process keeps one long-lived searcher per
  index folder, refreshed when a commit or a swap has happened (opening a searcher on a compound
  index copies the term file: ~150 ms at 20,000 documents).
- The analyzer numbers positions by token (jieba's own ``ChineseAnalyzer`` uses character offsets,
  which makes every phrase query miss) and stores character offsets, so highlighting never re-runs
  jieba. It is pickled into the index's schema: keep ``app.library.index.ChineseTokenizer`` where it is.
- A missing or unreadable index is detected on use (``IndexUnavailable``) but never rebuilt by the
  searcher: a web request must answer at once, so the caller (``services.search_library``) queues the
  rebuild as a job and answers from what is indexed meanwhile. The job worker rebuilds.
- Ranking: BM25F with the title boosted over headings over the body; within the top 50 documents,
  a section saying "<query>是…" (a definition) earns a bonus, so 民主集中制 finds the 党章 first. The
  check reads the positions of the words in those documents' sections only (a phrase query with 是
  over the index, or an Or of 50 document terms, costs more than the search itself).
- Searching records no matched terms (whoosh's ``terms=True`` does it for every match): the snippets
  of a page read the query words' stored character offsets for its ten sections only. Sections are
  collapsed per document only when some document has several (read once per searcher).
- Queries have almost no syntax: words are ANDed, quoted parts are phrases, and a trailing ``*``
  makes a prefix (``democra*``); nothing else is special.
- Partial words: a run of Chinese characters that jieba does not index as it stands (民主集中, which
  the text holds inside the word 民主集中制) also matches the longer indexed words containing it,
  found among jieba's dictionary words; those matches score PARTIAL_BOOST and rank after the
  documents holding the words themselves (within the top RERANK_DEPTH); only the typed characters
  are marked in the snippet.
- Expansion is capped: a partial word or a prefix stands for at most MAX_EXPANSION indexed words,
  the most frequent of at most EXPANSION_SCAN candidates, found in at most EXPANSION_POSTINGS
  sections in all (the most frequent word always counts), so ``a*`` or ``中*`` costs about what
  one common word costs. ``*`` alone is nothing.
"""

import atexit
import ctypes
import fcntl
import gc
import logging
import os
import re
import secrets
import shutil
import signal
import threading
import time
import unicodedata
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jieba
from flask import Flask, current_app
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from whoosh import collectors, highlight, index, query
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from app.extensions import db
from app.library.models import Document, Resource

log = logging.getLogger(__name__)

CURRENT = "current"
LOCK_FILE = ".write.lock"
PAGE_SIZE = 10
MAX_QUERY_CHARS = 200
MAX_QUERY_PARTS = 12
TITLE_BOOST, HEADING_BOOST, TAG_BOOST, DEFINITION_BOOST = 4.0, 2.0, 2.0, 3.0
MAX_SUGGESTED_WORD = 20
RERANK_DEPTH = 50  # documents that get the definition bonus checked
WORD_CHAR = re.compile(r"\w")
CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
CHINESE_RUN = re.compile(rf"[\u4e00-\u9fff]{{3,{MAX_SUGGESTED_WORD}}}")
CHINESE_RUN_ANY = re.compile(r"[\u4e00-\u9fff]{2,}")
QUOTES = re.compile(r'["“”「」『』]')
PREFIX = re.compile(r"(\w+)[*＊]")  # a word with a trailing star: a prefix
# Partial words and prefixes stand for at most MAX_EXPANSION indexed words, the most frequent of at
# most EXPANSION_SCAN candidates, found in at most EXPANSION_POSTINGS sections in all (the first word
# always counts): a broad prefix such as a* or 中* stays a small, fast query.
MAX_EXPANSION = 32
EXPANSION_SCAN = 400
EXPANSION_POSTINGS = 5_000
EXPANDED_FIELDS = ("title", "heading", "body")
PARTIAL_BOOST = 0.25  # a word found inside a longer word counts less than the word itself
OPERATORS = re.compile(r"\b(?:AND|OR|NOT)\b")
# Full-width ASCII (ＡＢＣ１２３) to half-width, one character for one, so offsets stay valid.
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


# --- analysis ---------------------------------------------------------------------------------


SUBWORD_POSITIONS = 1 << 30  # where the words inside long words are numbered: away from the phrases
WORD_CACHE_SIZE = 200_000
_SKIP = ("", ())


def _normalise_token(word: str) -> str:
    return word.lower() if word.isascii() else unicodedata.normalize("NFKC", word).lower()


def _analyse_word(word: str) -> tuple[str, tuple[tuple[str, int, int, str], ...]]:
    """A jieba word as the index keeps it: its normalised text and the dictionary words inside it.

    Each inner word is (text, offset in the word, length, original). Punctuation and spaces give
    ``_SKIP``. Cached per word: running text repeats its words, so the index pays for each once.
    """
    if not WORD_CHAR.search(word):
        return _SKIP
    parts: list[tuple[str, int, int, str]] = []
    if len(word) > 2 and not word.isascii():
        frequencies = jieba.dt.FREQ
        for size in (2, 3):
            for offset in range(len(word) - size + 1):
                gram = word[offset : offset + size]
                if gram != word and frequencies.get(gram):
                    parts.append((_normalise_token(gram), offset, size, gram))
    return _normalise_token(word), tuple(parts)


_words: dict[str, tuple[str, tuple[tuple[str, int, int, str], ...]]] = {}


class ChineseTokenizer(Tokenizer):
    """jieba's words numbered by token; the dictionary words inside long words are indexed too.

    "坚持民主集中制" yields 坚持@0, 民主集中制@1, then the inner words 民主, 集中, 集中制 of word 1: a
    query for 集中 finds it. The inner words come after the words, numbered from ``SUBWORD_POSITIONS``
    two apart per parent word, so they never stand next to a word or to each other: a quoted phrase
    matches jieba's words in a row, exactly as SQLite FTS5 over the same words would ("坚持集中" does
    not match 坚持民主集中制). Punctuation and spaces are dropped and take no position. In
    ``mode="query"`` only the words themselves are produced.
    """

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        token.stopped = False
        if not tokenize:
            token.original = token.text = value
            token.pos = start_pos
            token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        jieba.dt.check_initialized()
        words = _words
        if len(words) > WORD_CACHE_SIZE:
            words.clear()
        inner = mode != "query"
        deferred = []
        pos, start = start_pos, start_char
        for word in jieba.dt.cut(value.translate(FULL_WIDTH)):
            end = start + len(word)
            entry = words.get(word)
            if entry is None:
                entry = words[word] = _analyse_word(word)
            if entry is not _SKIP:
                token.text, token.original = entry[0], word
                token.pos, token.startchar, token.endchar = pos, start, end
                yield token
                if inner and entry[1]:
                    deferred.append((pos, start, entry[1]))
                pos += 1
            start = end
        for parent, begin, parts in deferred:
            position = SUBWORD_POSITIONS + 2 * parent
            for text, offset, size, original in parts:
                token.text, token.original = text, original
                token.pos, token.startchar, token.endchar = position, begin + offset, begin + offset + size
                yield token


def analyse(text: str) -> list[str]:
    """Return the query words of ``text``, as the index would see them."""
    return [token.text for token in ChineseTokenizer()(text, mode="query")]


def make_schema() -> Schema:
    analyzer = ChineseTokenizer()
    return Schema(
        key=ID(unique=True, stored=True),  # "<document id>:<section position>"
        doc=ID(stored=True, sortable=True),
        anchor=STORED,
        title=TEXT(analyzer=analyzer, phrase=True, chars=True),
        heading=TEXT(analyzer=analyzer, stored=True, chars=True),
        body=TEXT(analyzer=analyzer, stored=True, chars=True),
        collection=ID(stored=True),
        tags=KEYWORD(commas=True, lowercase=True),
        year=NUMERIC(int, stored=True),
        date=NUMERIC(int, sortable=True, stored=True),  # yyyymmdd, 0 when unknown
    )


def init_app(app: Flask) -> None:
    """Load jieba's dictionary at start-up (about 0.6 s), not during the first search."""
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()


# --- the index on disk ------------------------------------------------------------------------


class IndexUnavailable(Exception):
    """The index is missing or unreadable; it gets rebuilt from the database."""


class LibraryIndex:
    """One index folder and this process's long-lived searcher on it."""

    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.RLock()
        self._generation: str | None = None
        self._index: index.FileIndex | None = None
        self._searcher = None

    # Generations and the atomic swap.

    def current_generation(self) -> str | None:
        try:
            target = os.readlink(self.root / CURRENT)
        except OSError:
            return None
        return target if (self.root / target).is_dir() else None

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Serialise writers across processes (updates wait while a rebuild runs; readers never do)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK_FILE, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def swapped_at(self) -> datetime | None:
        """When the current generation was swapped in (naive UTC), or None when there is none."""
        try:
            return datetime.fromtimestamp(os.lstat(self.root / CURRENT).st_mtime, UTC).replace(tzinfo=None)
        except OSError:
            return None

    def _swap(self, generation: str) -> None:
        link = self.root / f".{CURRENT}-{secrets.token_hex(4)}"
        os.symlink(generation, link)
        os.replace(link, self.root / CURRENT)  # atomic: readers see the old or the new generation

    def _clean_up(self, keep: set[str]) -> None:
        """Remove unfinished builds, generations older than the previous one, and the temporary link
        of a swap cut off between its two steps (called under the write lock, so no swap is running)."""
        generations = sorted(path for path in self.root.glob("gen-*") if path.name not in keep)
        for path in generations:
            shutil.rmtree(path, ignore_errors=True)
        for link in self.root.glob(f".{CURRENT}-*"):
            link.unlink(missing_ok=True)

    def open_index(self) -> index.FileIndex:
        generation = self.current_generation()
        if generation is None:
            raise IndexUnavailable("no current index generation")
        with warnings.catch_warnings():
            # whoosh leaves the files of a damaged index open when it fails: let them be collected
            # here, quietly, instead of warning at some random later moment.
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return index.open_dir(str(self.root / generation))
            except Exception as error:  # whoosh raises many kinds on damaged files
                problem = f"cannot open {generation}: {error!r}"
            gc.collect()
        raise IndexUnavailable(problem)

    # The long-lived searcher.

    @contextmanager
    def searcher(self):
        """Yield this process's searcher, refreshed if a commit or a swap happened meanwhile."""
        with self._lock:
            generation = self.current_generation()
            if self._searcher is None or generation != self._generation:
                self._open_searcher()
            elif not self._searcher.up_to_date():
                # Not Searcher.refresh(): it reuses the reader of a segment whose deletions changed
                # (whoosh keys readers by segment id), so deleted documents would still be found.
                fresh = self._index.searcher()
                self._searcher.close()
                self._searcher = fresh
            yield self._searcher

    def _open_searcher(self) -> None:
        """Open the current generation; raise IndexUnavailable (never rebuild: that is a job's work)."""
        self.close()
        ix = self.open_index()
        with warnings.catch_warnings():
            # As in open_index: the files whoosh left open on failing are collected here, quietly.
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                searcher = ix.searcher()
            except Exception as error:  # whoosh raises many kinds on damaged files
                problem = f"cannot read {self.root}: {error!r}"
            else:
                self._index, self._searcher, self._generation = ix, searcher, self.current_generation()
                return
            ix.close()
            gc.collect()
        raise IndexUnavailable(problem)

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._index = self._searcher = self._generation = None

    def forget_searcher_after_failure(self) -> None:
        """Drop the searcher after a read error, so the next use reopens (or rebuilds) the index."""
        self.close()


_indexes: dict[str, LibraryIndex] = {}
_indexes_lock = threading.Lock()


def close_all() -> None:
    """Close every searcher this process holds (at exit, and between tests)."""
    with _indexes_lock:
        for library in _indexes.values():
            library.close()
        _indexes.clear()


atexit.register(close_all)


def library_index(root: str | Path | None = None) -> LibraryIndex:
    """Return this process's LibraryIndex for ``root`` (default: the app's SEARCH_INDEX_DIR)."""
    path = Path(root or current_app.config["SEARCH_INDEX_DIR"]).resolve()
    with _indexes_lock:
        if str(path) not in _indexes:
            _indexes[str(path)] = LibraryIndex(path)
        return _indexes[str(path)]


# --- writing ----------------------------------------------------------------------------------


def section_records(document: Document) -> Iterator[dict]:
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


def write_records(ix: index.FileIndex, document_ids: list[int], records: Iterable[dict]) -> None:
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
_forking_index_helpers = False
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _tie_index_helper_to_parent() -> None:
    """In a forked indexing helper: be killed when the rebuilding process dies, even by SIGKILL.

    A helper inherits the write lock's file; an orphaned one would wait for work forever holding it,
    and every later update or rebuild would wait too. Linux only (elsewhere this does nothing).
    """
    if not _forking_index_helpers:
        return
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was set up
        os._exit(1)


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


def _all_section_records(batch_size: int) -> Iterator[dict]:
    ids = list(db.session.scalars(select(Document.id).order_by(Document.id)))
    for start in range(0, len(ids), batch_size):
        for document in _load_documents(ids[start : start + batch_size]):
            yield from section_records(document)
        db.session.expire_all()
        _after_batch(start + batch_size)


def _rebuild_locked(
    target: LibraryIndex,
    procs: int = 1,
    batch_size: int = 200,
    records: Callable[[], Iterable[dict]] | None = None,
) -> int:
    """Build a new generation of ``records()`` (default: every document's sections) and swap it in."""
    previous = target.current_generation()
    target._clean_up(keep={previous} if previous else set())
    generation = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
    building = target.root / f"{generation}.building"
    building.mkdir(parents=True)
    ix = index.create_in(str(building), make_schema())
    writer = ix.writer(procs=procs, multisegment=procs > 1, compound=False, limitmb=128)
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


# --- the resources' index: pictures and videos, in the same engine ------------------------------

RESOURCES_FOLDER = "resources"


def resource_index() -> LibraryIndex:
    """The index of the library's pictures and videos: SEARCH_INDEX_DIR/resources, searched like the
    documents' (one whoosh document per resource; ``doc`` is the resource's id)."""
    return library_index(Path(current_app.config["SEARCH_INDEX_DIR"]) / RESOURCES_FOLDER)


def resource_record(resource: Resource) -> dict:
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


def _resource_records(ids: Iterable[int] | None = None) -> list[dict]:
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


# --- searching --------------------------------------------------------------------------------


@dataclass
class QueryRun:
    """A run of Chinese characters typed without spaces, with the words jieba cut it into, and the
    pieces of it that may lie inside longer indexed words (found by expansion at search time)."""

    text: str
    words: list[str]
    units: list[tuple[str, list[str]]] = field(default_factory=list)  # (piece, its words)


@dataclass
class ParsedQuery:
    """What a user typed, made safe: words, quoted phrases, prefixes (``word*``), and the cleaned text."""

    text: str
    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    runs: list[QueryRun] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases and not self.prefixes


@dataclass
class Expansions:
    """The indexed words each partial piece or prefix of a query stands for (at most MAX_EXPANSION)."""

    partial: dict[str, list[str]] = field(default_factory=dict)
    prefix: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.partial.values()) or any(self.prefix.values())


def clean_query_text(raw: str) -> str:
    """Drop control and format characters, collapse spaces, and cut to a sane length."""
    kept = "".join(" " if unicodedata.category(char) in CONTROL_CATEGORIES else char for char in raw[:2000])
    return " ".join(kept.split())[:MAX_QUERY_CHARS]


def parse_query(raw: str) -> ParsedQuery:
    """Parse user text; never fails. Quoted parts are phrases; everything else is words to AND.

    AND, OR, ?, brackets and field names are ordinary text (the analyzer drops punctuation). The one
    piece of syntax is a trailing ``*``: ``民主集*`` or ``democra*`` is a prefix, standing for at most
    ``MAX_EXPANSION`` indexed words that start with it (``*`` alone is nothing). Runs of Chinese
    characters are also looked for inside longer indexed words (民主集中 in 民主集中制).
    """
    text = clean_query_text(raw)
    parsed = ParsedQuery(text=text)
    parts = QUOTES.split(OPERATORS.sub(" ", text))  # AND/OR/NOT typed as operators are ignored
    for number, part in enumerate(parts):
        words = analyse(part)
        if number % 2 == 1 and len(parts) > number + 1 and len(words) > 1:
            parsed.phrases.append(words)  # an odd part between two quotes
            continue
        for prefix in PREFIX.findall(part):
            prefix = _normalise_token(prefix.translate(FULL_WIDTH))
            if prefix not in parsed.prefixes:
                parsed.prefixes.append(prefix)
        part = PREFIX.sub(" ", part)
        words = analyse(part)
        parsed.words.extend(word for word in words if word not in parsed.words)
        parsed.runs.extend(_runs(part))
    parsed.phrases = parsed.phrases[:MAX_QUERY_PARTS]
    parsed.prefixes = parsed.prefixes[: max(0, MAX_QUERY_PARTS - len(parsed.phrases))]
    parsed.words = parsed.words[: max(0, MAX_QUERY_PARTS - len(parsed.phrases) - len(parsed.prefixes))]
    kept = set(parsed.words)
    parsed.runs = [run for run in parsed.runs if set(run.words) <= kept][:MAX_QUERY_PARTS]
    return parsed


def _runs(part: str) -> list[QueryRun]:
    """The Chinese runs of ``part`` that might lie inside longer indexed words.

    A run that is one dictionary word of two or three characters needs nothing: the index holds the
    dictionary words inside long words already. Otherwise the pieces to look for are the run itself,
    each of its words of four characters or more (民主集中), and each stretch of single characters
    jieba left (主集).
    """
    runs = []
    for text in CHINESE_RUN_ANY.findall(part):
        words = analyse(text)
        if not words or (len(words) == 1 and _covered_by_inner_words(words[0])):
            continue
        units: list[tuple[str, list[str]]] = []
        singles: list[str] = []
        for word in [*words, ""]:
            if len(word) == 1:
                singles.append(word)
                continue
            if len(singles) > 1:
                units.append(("".join(singles), list(singles)))
            singles = []
            if word and not _covered_by_inner_words(word) and len(word) > 1:
                units.append((word, [word]))
        if len(words) > 1:
            units.insert(0, (text, words))
        runs.append(QueryRun(text=text, words=words, units=units))
    return runs


def _covered_by_inner_words(word: str) -> bool:
    """Whether the index finds ``word`` inside longer words already (see ``_analyse_word``)."""
    return not word.isascii() and len(word) in (2, 3) and bool(jieba.dt.FREQ.get(word))


# --- expanding partial words and prefixes (capped) ---------------------------------------------

_dictionary_blob: str | None = None
_dictionary_lock = threading.Lock()


def _dictionary_words_blob() -> str:
    """jieba's dictionary words of three characters or more, one a line, for substring look-ups."""
    global _dictionary_blob
    if _dictionary_blob is None:
        with _dictionary_lock:
            if _dictionary_blob is None:
                jieba.dt.check_initialized()
                words = (word for word, frequency in jieba.dt.FREQ.items() if frequency and len(word) > 2)
                _dictionary_blob = "\n" + "\n".join(word for word in words if not word.isascii()) + "\n"
    return _dictionary_blob


def _containing_words(piece: str) -> list[str]:
    """Dictionary words that contain ``piece`` and are longer (at most EXPANSION_SCAN looked at)."""
    blob, found, position = _dictionary_words_blob(), [], 0
    while len(found) < EXPANSION_SCAN:
        position = blob.find(piece, position)
        if position < 0:
            break
        start = blob.rfind("\n", 0, position) + 1
        end = blob.find("\n", position)
        word = blob[start:end]
        if word != piece and word not in found:
            found.append(word)
        position = end
    return found


def _most_frequent(reader, candidates: Iterable[str]) -> list[str]:
    """The candidates the index holds, most frequent first: at most MAX_EXPANSION of them, and no
    more than EXPANSION_POSTINGS sections' worth of postings in all (but always the first one), so
    a broad prefix costs about what one common word costs."""
    counted = []
    for word in candidates:
        frequency = sum(reader.doc_frequency(name, word) for name in EXPANDED_FIELDS)
        if frequency:
            counted.append((-frequency, word))
    chosen, postings = [], 0
    for negative, word in sorted(counted)[:MAX_EXPANSION]:
        if chosen and postings - negative > EXPANSION_POSTINGS:
            break
        chosen.append(word)
        postings -= negative
    return chosen


def _prefixed_words(reader, prefix: str) -> list[str]:
    """Indexed words starting with ``prefix``: at most EXPANSION_SCAN read per field in term order."""
    candidates: set[str] = set()
    for name in EXPANDED_FIELDS:
        for number, term in enumerate(reader.expand_prefix(name, prefix)):
            if number >= EXPANSION_SCAN:
                break
            candidates.add(term.decode("utf-8") if isinstance(term, bytes) else term)
    return _most_frequent(reader, sorted(candidates))


def expand(reader, parsed: ParsedQuery) -> Expansions:
    """The indexed words standing for each partial piece and prefix of the query (capped)."""
    expansions = Expansions()
    for run in parsed.runs:
        for piece, _words in run.units:
            if piece not in expansions.partial:
                expansions.partial[piece] = _most_frequent(reader, _containing_words(piece))
    for prefix in parsed.prefixes:
        expansions.prefix[prefix] = _prefixed_words(reader, prefix)
    return expansions


def _word_clause(word: str) -> query.Query:
    return query.Or(
        [
            query.Term("title", word, boost=TITLE_BOOST),
            query.Term("heading", word, boost=HEADING_BOOST),
            query.Term("body", word),
            query.Term("tags", word, boost=TAG_BOOST),
        ]
    )


def _any_word_clause(words: list[str], boost: float = 1.0) -> query.Query:
    return query.Or(
        [
            clause
            for word in words
            for clause in (
                query.Term("title", word, boost=TITLE_BOOST * boost),
                query.Term("heading", word, boost=HEADING_BOOST * boost),
                query.Term("body", word, boost=boost),
            )
        ]
    )


def _all_of(clauses: list[query.Query]) -> query.Query:
    return clauses[0] if len(clauses) == 1 else query.And(clauses)


def build_query(parsed: ParsedQuery, expansions: Expansions | None = None) -> query.Query | None:
    """Every word, phrase and prefix must match. With ``expansions``, a Chinese run also matches
    through the longer indexed words containing it (or its pieces), at PARTIAL_BOOST."""
    clauses: list[query.Query] = []
    consumed: set[str] = set()
    for run in parsed.runs if expansions else []:
        if not any(expansions.partial.get(piece) for piece, _ in run.units):
            continue
        words = {word: _word_clause(word) for word in run.words}
        for piece, piece_words in run.units[1:] if len(run.words) > 1 else run.units:
            found = expansions.partial.get(piece)
            if found:
                exact = _all_of([_word_clause(word) for word in piece_words])
                words[piece_words[0]] = query.Or([exact, _any_word_clause(found, PARTIAL_BOOST)])
                for word in piece_words[1:]:
                    words.pop(word, None)
        alternatives = [_all_of(list(words.values()))]
        whole = expansions.partial.get(run.text) if len(run.words) > 1 else None
        if whole:
            alternatives.append(_any_word_clause(whole, PARTIAL_BOOST))
        clauses.append(alternatives[0] if len(alternatives) == 1 else query.Or(alternatives))
        consumed.update(run.words)
    for word in parsed.words:
        if word not in consumed:
            clauses.append(_word_clause(word))
    for prefix in parsed.prefixes:
        found = (expansions.prefix.get(prefix) if expansions else None) or [prefix]
        clauses.append(_any_word_clause(found))
    for words in parsed.phrases:
        clauses.append(
            query.Or(
                [
                    query.Phrase("title", words, boost=TITLE_BOOST),
                    query.Phrase("heading", words, boost=HEADING_BOOST),
                    query.Phrase("body", words),
                ]
            )
        )
    if not clauses:
        return None
    return _all_of(clauses)


def definition_query(parsed: ParsedQuery) -> query.Query | None:
    """A passage saying "<query>是…" most likely defines the term: it earns a ranking bonus."""
    if parsed.words and not parsed.phrases and len(parsed.words) <= 4:
        return query.Phrase("body", [*parsed.words, "是"], boost=DEFINITION_BOOST)
    return None


@dataclass
class IndexHit:
    document_id: int
    anchor: str
    heading: str
    snippet: str  # HTML: the text is escaped, matches are wrapped in <mark>
    score: float


@dataclass
class IndexResults:
    hits: list[IndexHit]
    total: int  # matching documents (each counted once, however many sections match)
    page: int
    suggestion: str | None = None


class MarkFormatter(highlight.HtmlFormatter):
    """Wrap matches in <mark>; every other character is HTML-escaped."""

    template = "<mark>%(t)s</mark>"

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")

    def _text(self, text: str) -> str:
        return str(escape(text))


SNIPPET_FRAGMENTER = highlight.PinpointFragmenter(maxchars=120, surround=40, autotrim=False, charlimit=None)


def search(
    raw_query: str,
    *,
    collection_id: int | None = None,
    year: int | None = None,
    tag: str | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    target: LibraryIndex | None = None,
) -> IndexResults:
    """Search the library; an unusable query gives an empty result, never an error.

    Raises IndexUnavailable when the index is missing or unreadable (it is not rebuilt here).
    """
    page = max(1, min(page, 1000))
    parsed = parse_query(raw_query)
    if parsed.empty:
        return IndexResults(hits=[], total=0, page=page)
    filters = []
    if collection_id is not None:
        filters.append(query.Term("collection", str(collection_id)))
    if year is not None:
        filters.append(query.NumericRange("year", year, year))
    if tag:
        filters.append(query.Term("tags", tag.strip().lower()))
    target = target or library_index()
    for attempt in (1, 2):
        try:
            with target.searcher() as searcher:
                return _run(searcher, parsed, filters, sort, page, page_size)
        except (OSError, ValueError, EOFError) as error:  # a file of the index vanished or is damaged
            target.forget_searcher_after_failure()
            if attempt == 2:
                raise IndexUnavailable(f"search index read failed: {error!r}") from error
            log.warning("search index read failed (%r): reopening it", error)
    raise AssertionError("unreachable")


def _run(searcher, parsed, filters, sort, page, page_size) -> IndexResults:
    limit = page * page_size
    expansions = expand(searcher.reader(), parsed)
    built = build_query(parsed, expansions)
    # Sections found only through a word inside a longer word come after those with the words
    # themselves (checked within the top RERANK_DEPTH documents).
    exact = (
        build_query(parsed, Expansions(prefix=expansions.prefix))
        if any(expansions.partial.values())
        else None
    )
    definition = definition_query(parsed) if sort != "date" else None
    depth = max(limit, RERANK_DEPTH) if definition or exact is not None else limit
    if filters:
        # Filters join the query as zero-score clauses: whoosh's own ``filter=`` argument stops
        # collapsing sections of the same document once the index has several segments.
        built = query.And([built, *(_zero_score(condition) for condition in filters)])
    owners = _section_owners(searcher)
    # No matched-terms bookkeeping (terms=True records them for every match, not just the page):
    # the snippets read the query words' character offsets for the page's sections only.
    options: dict = {"limit": depth}
    if not owners.one_section_each:
        options["collapse"] = "doc"
    if sort == "date":
        options.update(sortedby="date", reverse=True)
    collector = searcher.collector(**options)
    if parsed.phrases:
        _count_while_collecting(collector)
    searcher.search_with_collector(built, collector)
    results = collector.results()
    ranked = [(hit.score or 0.0, hit.docnum) for hit in results]
    if definition is not None and ranked:
        ranked = _rerank_definitions(searcher, built, definition, ranked, owners)
    if exact is not None and sort != "date" and ranked:
        ranked = _exact_words_first(searcher, exact, ranked, owners)
    hits = _index_hits(searcher, parsed, ranked[(page - 1) * page_size : limit], expansions)
    total = _count_documents(searcher, built, results, depth, owners)
    suggestion = _suggest(searcher, parsed) if total == 0 else None
    return IndexResults(hits=hits, total=total, page=page, suggestion=suggestion)


@dataclass
class SectionOwners:
    """The library document of each whoosh document (a section) of one searcher, read once."""

    documents: list[str]
    one_section_each: bool  # no document has two live sections: nothing to collapse
    live: list[int] = field(default_factory=list)
    _sections: dict[str, list[int]] | None = None

    def sections_of(self, doc: str) -> list[int]:
        if self._sections is None:
            self._sections = {}
            for docnum in self.live:
                self._sections.setdefault(self.documents[docnum], []).append(docnum)
        return self._sections.get(doc, [])


_owners: "weakref.WeakKeyDictionary[object, SectionOwners]" = weakref.WeakKeyDictionary()


def _section_owners(searcher) -> SectionOwners:
    owners = _owners.get(searcher)
    if owners is None:
        reader = searcher.reader()
        documents = list(reader.column_reader("doc")) if reader.doc_count_all() else []
        live = list(reader.all_doc_ids())
        owners = SectionOwners(documents, len({documents[docnum] for docnum in live}) == len(live), live)
        _owners[searcher] = owners
    return owners


def _count_documents(searcher, built, results, depth: int, owners: SectionOwners) -> int:
    """Matching documents, each counted once however many of its sections match."""
    total = len(results)
    if owners.one_section_each:
        return total  # whoosh's own count is exact when no section shares a document
    # whoosh's collapsed count is too high when a better section of a document replaces one already
    # collected. When everything fitted in the limit, the collected documents are the exact answer;
    # otherwise count the documents of the matching sections directly.
    if total <= depth:
        return results.scored_length()
    documents = owners.documents
    return len({documents[docnum] for docnum in searcher.docs_for_query(built)})


def _count_while_collecting(collector) -> None:
    """Make the scoring collector visit every match, so its count is exact after one pass.

    By default it skips blocks that cannot reach the top (block quality) and drops sub-queries that
    cannot (matcher replacement), then counts with a second full pass over the positions. For phrases
    the skipping saves little, since positions are read anyway: one full pass is about twice as fast.
    """
    while hasattr(collector, "child"):  # collapsing wraps the scoring collector
        collector = collector.child
    if isinstance(collector, collectors.TopCollector):
        collector.usequality = False
        collector.replace = 0


def _zero_score(condition: query.Query) -> query.Query:
    return query.ConstantScoreQuery(condition, 0.0)


def _rerank_definitions(
    searcher, built, definition, ranked: list[tuple[float, int]], owners: SectionOwners
) -> list[tuple[float, int]]:
    """Add the definition bonus within the top documents only (a phrase with 是 is costly over all).

    A document's defining section may not be its best plain section, so every section of the
    candidate documents is checked. The check reads the positions of the query's words and 是 in
    those sections only; the few defining sections are then scored by the query plus the bonus.
    """
    documents = owners.documents
    best = {documents[docnum]: (score, docnum) for score, docnum in ranked}
    if owners.one_section_each:
        sections = [docnum for _, docnum in best.values()]
    else:
        sections = [docnum for doc in best for docnum in owners.sections_of(doc)]
    words = list(definition.words)
    positions = _postings_values(searcher, "body", sections, words, "positions")
    defining = [docnum for docnum in sections if _has_phrase(positions[docnum], words)]
    for docnum, score in _scores(searcher, query.And([built, definition]), defining):
        doc = documents[docnum]
        if score > best[doc][0]:
            best[doc] = (score, docnum)
    return sorted(best.values(), key=lambda pair: -pair[0])


def _exact_words_first(
    searcher, exact, ranked: list[tuple[float, int]], owners: SectionOwners
) -> list[tuple[float, int]]:
    """Put the documents with a section matching the words themselves before those matching only
    through longer words; such a document's hit is its best exact section."""
    documents = owners.documents
    if owners.one_section_each:
        sections = [docnum for _, docnum in ranked]
    else:
        sections = [section for _, hit in ranked for section in owners.sections_of(documents[hit])]
    best_exact: dict[str, tuple[float, int]] = {}
    for docnum, score in _scores(searcher, exact, sections):
        doc = documents[docnum]
        if doc not in best_exact or score > best_exact[doc][0]:
            best_exact[doc] = (score, docnum)
    tiered = []
    for score, docnum in ranked:
        doc = documents[docnum]
        if doc not in best_exact:
            tiered.append((1, score, docnum))
        elif best_exact[doc][1] == docnum:
            tiered.append((0, score, docnum))
        else:
            tiered.append((0, *best_exact[doc]))
    tiered.sort(key=lambda item: (item[0], -item[1]))
    return [(score, docnum) for _, score, docnum in tiered]


def _has_phrase(positions: dict[str, list[int]], words: list[str]) -> bool:
    if len(positions) < len(set(words)):
        return False
    return any(
        all(start + offset in positions[word] for offset, word in enumerate(words[1:], 1))
        for start in positions[words[0]]
    )


def _scores(searcher, built: query.Query, docnums: list[int]) -> Iterator[tuple[int, float]]:
    """The score of ``built`` in each of these sections (each known to match it)."""
    remaining = sorted(docnums)
    context = searcher.context()
    for leaf, offset in searcher.leaf_searchers():
        inside = [docnum for docnum in remaining if offset <= docnum < offset + leaf.doc_count_all()]
        if not inside:
            continue
        matcher = built.matcher(leaf, context)
        for docnum in inside:
            if not matcher.is_active():
                break
            if matcher.id() < docnum - offset:
                matcher.skip_to(docnum - offset)
            if matcher.is_active() and matcher.id() == docnum - offset:
                yield docnum, matcher.score()


def _index_hits(
    searcher, parsed: ParsedQuery, page: list[tuple[float, int]], expansions: Expansions | None = None
) -> list[IndexHit]:
    words = {*parsed.words, *(word for phrase in parsed.phrases for word in phrase)}
    # A longer word found for a piece or prefix of the query: only that piece of it is marked.
    marked: dict[str, str] = {}
    for found in (expansions.partial, expansions.prefix) if expansions else ():
        for piece, longer in found.items():
            for word in longer:
                if word not in words:
                    marked.setdefault(word, piece)
    words |= set(marked)
    body_spans = _word_spans(searcher, "body", [docnum for _, docnum in page], words, marked)
    hits = []
    for score, docnum in page:
        stored = searcher.stored_fields(docnum)
        body = stored.get("body", "")
        snippet = _snippet(body, body_spans[docnum], top=2)
        if not snippet and stored.get("heading"):
            heading_spans = _word_spans(searcher, "heading", [docnum], words, marked)[docnum]
            snippet = _snippet(stored["heading"], heading_spans, top=1)
        if not snippet:
            snippet = str(escape(body[:120] + ("…" if len(body) > 120 else "")))
        hits.append(
            IndexHit(
                document_id=int(stored["doc"]),
                anchor=stored["anchor"],
                heading=stored.get("heading", ""),
                snippet=snippet,
                score=round(float(score), 4),
            )
        )
    return hits


def _word_spans(
    searcher, fieldname: str, docnums: list[int], words: set[str], marked: dict[str, str] | None = None
) -> dict[int, list]:
    """(start, end, word) of each query word in these sections, from the stored character offsets;
    for a word in ``marked``, only the span of its piece (民主集中 of 民主集中制)."""
    values = _postings_values(searcher, fieldname, docnums, list(words), "characters")
    marked = marked or {}
    spans: dict[int, list] = {}
    for docnum, found in values.items():
        spans[docnum] = []
        for word, chars in found.items():
            piece = marked.get(word)
            offset = word.find(piece) if piece else -1
            for _, start, end in chars:
                if offset >= 0 and end - start == len(word):
                    start, end = start + offset, start + offset + len(piece)
                spans[docnum].append((start, end, word))
    return spans


def _postings_values(searcher, fieldname: str, docnums: list[int], words: list[str], kind: str) -> dict:
    """{docnum: {word: positions or characters}} for the words present in each of these sections."""
    values: dict[int, dict] = {docnum: {} for docnum in docnums}
    reader = searcher.reader()
    ordered = sorted(set(docnums))
    for word in set(words):
        if (fieldname, word) not in reader:
            continue
        matcher = reader.postings(fieldname, word)
        for docnum in ordered:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                values[docnum][word] = matcher.value_as(kind)
    return values


def _snippet(text: str, spans: list, top: int) -> str:
    """Up to ``top`` fragments of ``text`` around the spans, the matches marked, everything escaped."""
    if not spans:
        return ""
    tokens, reached = [], -1
    for start, end, word in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start >= reached:  # a word inside a longer match is not marked twice
            tokens.append(Token(text=word, startchar=start, endchar=end, boost=1.0, matched=True))
            reached = end
    fragments = SNIPPET_FRAGMENTER.fragment_matches(text, tokens)
    best = highlight.top_fragments(fragments, top, highlight.BasicFragmentScorer(), highlight.FIRST)
    return MarkFormatter().format(best)


def _suggest(searcher, parsed: ParsedQuery) -> str | None:
    """Offer a corrected query when a word is unknown to the index but close to a known one."""
    corrector = searcher.corrector("body")
    corrected = _suggest_chinese(searcher, corrector, parsed)
    if corrected:
        return corrected
    changed = False
    words = []
    for word in parsed.words:
        if searcher.doc_frequency("body", word) or searcher.doc_frequency("title", word):
            words.append(word)
            continue
        if len(word) > MAX_SUGGESTED_WORD:
            words.append(word)
            continue
        # Sharing the first character keeps the scan of the term list short.
        suggestions = corrector.suggest(word, limit=1, maxdist=1, prefix=1)
        if not suggestions and len(word) > 4:
            suggestions = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
        if suggestions and suggestions[0] != word:
            words.append(suggestions[0])
            changed = True
        else:
            words.append(word)
    if not changed:
        return None
    phrases = " ".join(f'"{_join_words(phrase)}"' for phrase in parsed.phrases)
    return f"{_join_words(words)} {phrases}".strip()


def _suggest_chinese(searcher, corrector, parsed: ParsedQuery) -> str | None:
    """A misspelt Chinese term falls apart into known words (民主集种制: 民主, 集, 种, 制), each of them
    in the index: correct the run of Chinese characters as a whole against the indexed words instead."""
    text, changed = parsed.text, False
    for run in CHINESE_RUN.findall(parsed.text):
        if searcher.doc_frequency("body", run) or searcher.doc_frequency("title", run):
            continue
        suggestions = corrector.suggest(run, limit=1, maxdist=1, prefix=1)
        if suggestions and suggestions[0] != run and len(suggestions[0]) > 1:
            text, changed = text.replace(run, suggestions[0], 1), True
    return text if changed else None


def _join_words(words: list[str]) -> str:
    """Join query words back into text: Chinese words run together, others take a space."""
    text = ""
    for word in words:
        if text and (word.isascii() or text[-1].isascii()):
            text += " "
        text += word
    return text
