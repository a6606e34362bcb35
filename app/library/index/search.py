"""Searching: one call from the typed text to a page of hits, each library document once.

Searching records no matched terms (whoosh's ``terms=True`` does it for every match): the snippets of
a page read the query words' stored character offsets for its ten sections only.
"""

import logging
from dataclasses import dataclass

from whoosh import query
from whoosh.searching import Searcher

from app.library.index.clauses import build_query, definition_query
from app.library.index.parsing import Expansions, ParsedQuery, expand, parse_query
from app.library.index.ranking import (
    RERANK_DEPTH,
    _count_documents,
    _count_while_collecting,
    _exact_words_first,
    _rerank_definitions,
    _section_owners,
    _zero_score,
)
from app.library.index.snippets import IndexHit, _index_hits, _suggest
from app.library.index.storage import IndexUnavailable, LibraryIndex, library_index

log = logging.getLogger(__name__)

PAGE_SIZE = 10


@dataclass
class IndexResults:
    hits: list[IndexHit]
    total: int  # matching documents (each counted once, however many sections match)
    page: int
    suggestion: str | None = None


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
    filters: list[query.Query] = []
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


def _run(
    searcher: Searcher, parsed: ParsedQuery, filters: list[query.Query], sort: str, page: int, page_size: int
) -> IndexResults:
    limit = page * page_size
    expansions = expand(searcher.reader(), parsed)
    built = build_query(parsed, expansions)
    if built is None:  # nothing to look for (``search`` answers an empty query before opening the index)
        return IndexResults(hits=[], total=0, page=page)
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
    by_date = sort == "date"
    collector = searcher.collector(
        limit=depth,
        collapse=None if owners.one_section_each else "doc",
        sortedby="date" if by_date else None,
        reverse=by_date,
    )
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
