"""Ranking within the top documents, and counting documents rather than sections.

One whoosh document per section, collapsed to the best section per library document at query time
(only when some document has several sections; read once per searcher). Within the top
RERANK_DEPTH documents, a section saying "<query>是…" (a definition) earns a bonus, so 民主集中制
finds the 党章 first, and documents matching the words themselves come before those matching only
through longer words. The checks read the positions of the words in those documents' sections only
(a phrase query with 是 over the index, or an Or of 50 document terms, costs more than the search
itself).
"""

import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from whoosh import collectors, query
from whoosh.matching import Matcher
from whoosh.searching import Results, Searcher

RERANK_DEPTH = 50  # documents that get the definition bonus checked
Value = TypeVar("Value")  # what is read from a posting: positions, or character offsets


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


_owners: weakref.WeakKeyDictionary[Searcher, SectionOwners] = weakref.WeakKeyDictionary()


def _section_owners(searcher: Searcher) -> SectionOwners:
    owners = _owners.get(searcher)
    if owners is None:
        reader = searcher.reader()
        documents = list(reader.column_reader("doc")) if reader.doc_count_all() else []
        live = list(reader.all_doc_ids())
        owners = SectionOwners(documents, len({documents[docnum] for docnum in live}) == len(live), live)
        _owners[searcher] = owners
    return owners


def _count_documents(
    searcher: Searcher, built: query.Query, results: Results, depth: int, owners: SectionOwners
) -> int:
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


def _count_while_collecting(collector: collectors.Collector) -> None:
    """Make the scoring collector visit every match, so its count is exact after one pass.

    By default it skips blocks that cannot reach the top (block quality) and drops sub-queries that
    cannot (matcher replacement), then counts with a second full pass over the positions. For phrases
    the skipping saves little, since positions are read anyway: one full pass is about twice as fast.
    """
    while isinstance(collector, collectors.WrappingCollector):  # collapsing wraps the scoring collector
        collector = collector.child
    if isinstance(collector, collectors.TopCollector):
        collector.usequality = False
        collector.replace = 0


def _zero_score(condition: query.Query) -> query.Query:
    return query.ConstantScoreQuery(condition, 0.0)


def _rerank_definitions(
    searcher: Searcher,
    built: query.Query,
    definition: query.Phrase,
    ranked: list[tuple[float, int]],
    owners: SectionOwners,
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
    positions = _postings_values(searcher, "body", sections, words, lambda found: found.value_as("positions"))
    defining = [docnum for docnum in sections if _has_phrase(positions[docnum], words)]
    for docnum, score in _scores(searcher, query.And([built, definition]), defining):
        doc = documents[docnum]
        if score > best[doc][0]:
            best[doc] = (score, docnum)
    return sorted(best.values(), key=lambda pair: -pair[0])


def _exact_words_first(
    searcher: Searcher, exact: query.Query, ranked: list[tuple[float, int]], owners: SectionOwners
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
    tiered: list[tuple[int, float, int]] = []  # (0: an exact section, 1: none; score, section)
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


def _scores(searcher: Searcher, built: query.Query, docnums: list[int]) -> Iterator[tuple[int, float]]:
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


def _postings_values(
    searcher: Searcher, fieldname: str, docnums: list[int], words: list[str], read: Callable[[Matcher], Value]
) -> dict[int, dict[str, Value]]:
    """{docnum: {word: what ``read`` takes from its posting (positions or characters)}} for the words
    present in each of these sections."""
    values: dict[int, dict[str, Value]] = {docnum: {} for docnum in docnums}
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
                values[docnum][word] = read(matcher)
    return values
