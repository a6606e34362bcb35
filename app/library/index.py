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
- A missing or unreadable index is detected on use and rebuilt from the database.
- Ranking: BM25F with the title boosted over headings over the body; within the top 50 documents,
  a section saying "<query>是…" (a definition) earns a bonus, so 民主集中制 finds the 党章 first.
- Queries have no syntax: words are ANDed, quoted parts are phrases, nothing else is special.
"""

import atexit
import fcntl
import gc
import logging
import os
import re
import secrets
import shutil
import threading
import time
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jieba
from flask import Flask, current_app
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from whoosh import highlight, index, query
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.searching import Hit

from app.extensions import db
from app.library.models import Document

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
QUOTES = re.compile(r'["“”「」『』]')
OPERATORS = re.compile(r"\b(?:AND|OR|NOT)\b")
# Full-width ASCII (ＡＢＣ１２３) to half-width, one character for one, so offsets stay valid.
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


# --- analysis ---------------------------------------------------------------------------------


def _normalise_token(word: str) -> str:
    return word.lower() if word.isascii() else unicodedata.normalize("NFKC", word).lower()


class ChineseTokenizer(Tokenizer):
    """jieba's words numbered by token, with the words inside long words at the same position.

    "坚持民主集中制" yields 坚持@0, 民主集中制@1, 民主@1, 集中@1, 集中制@1: a query for 集中 finds it,
    and the phrase "坚持民主集中制" matches positions 0, 1. Punctuation and spaces are dropped and
    take no position. In ``mode="query"`` only the words themselves are produced.
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
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            token.pos = start_pos
            token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        jieba.dt.check_initialized()
        frequencies = jieba.dt.FREQ
        subwords = mode != "query"
        pos = start_pos
        for word, start, end in jieba.tokenize(value.translate(FULL_WIDTH)):
            if not WORD_CHAR.search(word):
                continue
            yield self._fill(token, _normalise_token(word), pos, start_char + start, start_char + end, word)
            if subwords and len(word) > 2 and not word.isascii():
                for size in (2, 3):
                    for offset in range(len(word) - size + 1):
                        gram = word[offset : offset + size]
                        if gram != word and frequencies.get(gram):
                            begin = start_char + start + offset
                            yield self._fill(token, _normalise_token(gram), pos, begin, begin + size, gram)
            pos += 1

    @staticmethod
    def _fill(token: Token, text: str, pos: int, startchar: int, endchar: int, original: str) -> Token:
        token.text = text
        token.original = original
        token.boost = 1.0
        token.stopped = False
        token.pos = pos
        token.startchar, token.endchar = startchar, endchar
        return token


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

    def _swap(self, generation: str) -> None:
        link = self.root / f".{CURRENT}-{secrets.token_hex(4)}"
        os.symlink(generation, link)
        os.replace(link, self.root / CURRENT)  # atomic: readers see the old or the new generation

    def _clean_up(self, keep: set[str]) -> None:
        """Remove unfinished builds and generations older than the previous one."""
        generations = sorted(path for path in self.root.glob("gen-*") if path.name not in keep)
        for path in generations:
            shutil.rmtree(path, ignore_errors=True)

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
        self.close()
        try:
            ix = self.open_index()
            searcher = ix.searcher()
        except IndexUnavailable:
            log.warning("search index in %s is missing or damaged: rebuilding it", self.root)
            rebuild(self)
            ix = self.open_index()
            searcher = ix.searcher()
        self._index, self._searcher, self._generation = ix, searcher, self.current_generation()

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


def rebuild(target: LibraryIndex | None = None, procs: int = 1, batch_size: int = 200) -> int:
    """Build a new generation from the database and swap it in; return the number of sections."""
    target = target or library_index()
    with target.write_lock():
        return _rebuild_locked(target, procs=procs, batch_size=batch_size)


def _rebuild_locked(target: LibraryIndex, procs: int = 1, batch_size: int = 200) -> int:
    previous = target.current_generation()
    target._clean_up(keep={previous} if previous else set())
    generation = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
    building = target.root / f"{generation}.building"
    building.mkdir(parents=True)
    ix = index.create_in(str(building), make_schema())
    writer = ix.writer(procs=procs, multisegment=procs > 1, compound=False, limitmb=128)
    sections = 0
    try:
        ids = list(db.session.scalars(select(Document.id).order_by(Document.id)))
        for start in range(0, len(ids), batch_size):
            for document in _load_documents(ids[start : start + batch_size]):
                for record in section_records(document):
                    writer.add_document(**record)
                    sections += 1
            db.session.expire_all()
            _after_batch(start + batch_size)
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


# --- searching --------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    """What a user typed, made safe: words, quoted phrases, and the cleaned text."""

    text: str
    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases


def clean_query_text(raw: str) -> str:
    """Drop control and format characters, collapse spaces, and cut to a sane length."""
    kept = "".join(" " if unicodedata.category(char) in CONTROL_CATEGORIES else char for char in raw[:2000])
    return " ".join(kept.split())[:MAX_QUERY_CHARS]


def parse_query(raw: str) -> ParsedQuery:
    """Parse user text; never fails. Quoted parts are phrases; everything else is words to AND.

    There is no query syntax to get wrong: AND, OR, *, ? and brackets are ordinary text (the
    analyzer drops punctuation), so a wildcard cannot expand to the whole term list.
    """
    text = clean_query_text(raw)
    parsed = ParsedQuery(text=text)
    parts = QUOTES.split(OPERATORS.sub(" ", text))  # AND/OR/NOT typed as operators are ignored
    for number, part in enumerate(parts):
        words = analyse(part)
        if number % 2 == 1 and len(parts) > number + 1 and len(words) > 1:
            parsed.phrases.append(words)  # an odd part between two quotes
        else:
            parsed.words.extend(word for word in words if word not in parsed.words)
    parsed.phrases = parsed.phrases[:MAX_QUERY_PARTS]
    parsed.words = parsed.words[: MAX_QUERY_PARTS - len(parsed.phrases)]
    return parsed


def build_query(parsed: ParsedQuery) -> query.Query | None:
    clauses: list[query.Query] = []
    for word in parsed.words:
        clauses.append(
            query.Or(
                [
                    query.Term("title", word, boost=TITLE_BOOST),
                    query.Term("heading", word, boost=HEADING_BOOST),
                    query.Term("body", word),
                    query.Term("tags", word, boost=TAG_BOOST),
                ]
            )
        )
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
    return clauses[0] if len(clauses) == 1 else query.And(clauses)


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


def search(
    raw_query: str,
    *,
    collection_id: int | None = None,
    year: int | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    target: LibraryIndex | None = None,
) -> IndexResults:
    """Search the library; an unusable query gives an empty result, never an error."""
    page = max(1, min(page, 1000))
    parsed = parse_query(raw_query)
    built = build_query(parsed)
    if built is None:
        return IndexResults(hits=[], total=0, page=page)
    filters = []
    if collection_id is not None:
        filters.append(query.Term("collection", str(collection_id)))
    if year is not None:
        filters.append(query.NumericRange("year", year, year))
    target = target or library_index()
    for attempt in (1, 2):
        try:
            with target.searcher() as searcher:
                return _run(searcher, parsed, built, filters, sort, page, page_size)
        except (OSError, ValueError, EOFError) as error:  # a file of the index vanished or is damaged
            if attempt == 2:
                raise
            log.warning("search index read failed (%r): reopening it", error)
            target.forget_searcher_after_failure()
            ensure_index(target)
    raise AssertionError("unreachable")


def _run(searcher, parsed, built, filters, sort, page, page_size) -> IndexResults:
    limit = page * page_size
    definition = definition_query(parsed) if sort != "date" else None
    options = {"limit": max(limit, RERANK_DEPTH) if definition else limit, "collapse": "doc", "terms": True}
    if sort == "date":
        options.update(sortedby="date", reverse=True)
    if filters:
        # Filters join the query as zero-score clauses: whoosh's own ``filter=`` argument stops
        # collapsing sections of the same document once the index has several segments.
        built = query.And([built, *(_zero_score(condition) for condition in filters)])
    results = searcher.search(built, **options)
    ranked = [(hit.score or 0.0, hit) for hit in results]
    if definition is not None and ranked:
        ranked = _rerank_definitions(searcher, built, definition, ranked)
    hits = [_index_hit(score, hit) for score, hit in ranked[(page - 1) * page_size : limit]]
    # whoosh's collapsed count is too high when a better section of a document replaces one already
    # collected. When everything fitted in the limit, the collected documents are the exact answer;
    # otherwise count the documents of the matching sections directly.
    total = len(results)
    if total <= options["limit"]:
        total = results.scored_length()
    else:
        column = searcher.reader().column_reader("doc")
        total = len({column[docnum] for docnum in searcher.docs_for_query(built)})
    suggestion = _suggest(searcher, parsed) if total == 0 else None
    return IndexResults(hits=hits, total=total, page=page, suggestion=suggestion)


def _zero_score(condition: query.Query) -> query.Query:
    return query.ConstantScoreQuery(condition, 0.0)


def _rerank_definitions(
    searcher, built, definition, ranked: list[tuple[float, Hit]]
) -> list[tuple[float, Hit]]:
    """Add the definition bonus within the top documents only (a phrase with 是 is costly over all).

    A document's defining section may not be its best plain section, so the bonus search looks at
    every section of the candidate documents and keeps, per document, the better of the two.
    """
    best = {hit["doc"]: (score, hit) for score, hit in ranked}
    candidates = query.Or([query.Term("doc", doc) for doc in best])
    defined = searcher.search(
        query.And([built, definition, _zero_score(candidates)]), limit=len(best), collapse="doc", terms=True
    )
    for hit in defined:
        if (hit.score or 0.0) > best[hit["doc"]][0]:
            # Fetched again through the member's own query, so that 是 is not highlighted.
            section = query.And([built, _zero_score(query.Term("key", hit["key"]))])
            best[hit["doc"]] = (hit.score, searcher.search(section, limit=1, terms=True)[0])
    return sorted(best.values(), key=lambda pair: -pair[0])


def _index_hit(score: float, hit: Hit) -> IndexHit:
    hit.results.fragmenter = highlight.PinpointFragmenter(
        maxchars=120, surround=40, autotrim=False, charlimit=None
    )
    hit.results.formatter = MarkFormatter()
    snippet = hit.highlights("body", top=2) or hit.highlights("heading", top=1)
    if not snippet:
        body = hit.get("body", "")
        snippet = str(escape(body[:120] + ("…" if len(body) > 120 else "")))
    return IndexHit(
        document_id=int(hit["doc"]),
        anchor=hit["anchor"],
        heading=hit.get("heading", ""),
        snippet=snippet,
        score=round(float(score), 4),
    )


def _suggest(searcher, parsed: ParsedQuery) -> str | None:
    """Offer a corrected query when a word is unknown to the index but close to a known one."""
    corrector = searcher.corrector("body")
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


def _join_words(words: list[str]) -> str:
    """Join query words back into text: Chinese words run together, others take a space."""
    text = ""
    for word in words:
        if text and (word.isascii() or text[-1].isascii()):
            text += " "
        text += word
    return text
