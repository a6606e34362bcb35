"""What a hit shows: the snippets around the query words (read from the stored character offsets of
the page's sections only, never by re-running jieba), and a suggestion when nothing matched."""

from dataclasses import dataclass

from markupsafe import escape
from whoosh import highlight
from whoosh.analysis import Token
from whoosh.searching import Searcher
from whoosh.spelling import Corrector

from app.library.index.parsing import CHINESE_RUN, MAX_SUGGESTED_WORD, Expansions, ParsedQuery
from app.library.index.ranking import _postings_values


@dataclass
class IndexHit:
    document_id: int
    anchor: str
    heading: str
    snippet: str  # HTML: the text is escaped, matches are wrapped in <mark>
    score: float


class MarkFormatter(highlight.HtmlFormatter):
    """Wrap matches in <mark>; every other character is HTML-escaped."""

    template = "<mark>%(t)s</mark>"

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def _text(self, text: str) -> str:
        return str(escape(text))


SNIPPET_FRAGMENTER = highlight.PinpointFragmenter(maxchars=120, surround=40, autotrim=False, charlimit=None)


Span = tuple[int, int, str]  # a query word's start and end in a text, and the word


def _index_hits(
    searcher: Searcher,
    parsed: ParsedQuery,
    page: list[tuple[float, int]],
    expansions: Expansions | None = None,
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
        stored = searcher.stored_fields(docnum)  # every stored field of a section is text
        body, heading = str(stored.get("body", "")), str(stored.get("heading", ""))
        snippet = _snippet(body, body_spans[docnum], top=2)
        if not snippet and heading:
            heading_spans = _word_spans(searcher, "heading", [docnum], words, marked)[docnum]
            snippet = _snippet(heading, heading_spans, top=1)
        if not snippet:
            snippet = str(escape(body[:120] + ("…" if len(body) > 120 else "")))
        hits.append(
            IndexHit(
                document_id=int(str(stored["doc"])),
                anchor=str(stored["anchor"]),
                heading=heading,
                snippet=snippet,
                score=round(float(score), 4),
            )
        )
    return hits


def _word_spans(
    searcher: Searcher,
    fieldname: str,
    docnums: list[int],
    words: set[str],
    marked: dict[str, str] | None = None,
) -> dict[int, list[Span]]:
    """(start, end, word) of each query word in these sections, from the stored character offsets;
    for a word in ``marked``, only the span of its piece (民主集中 of 民主集中制)."""
    values = _postings_values(
        searcher, fieldname, docnums, list(words), lambda found: found.value_as("characters")
    )
    marked = marked or {}
    spans: dict[int, list[Span]] = {}
    for docnum, found in values.items():
        spans[docnum] = []
        for word, chars in found.items():
            piece = marked.get(word)
            offset = word.find(piece) if piece else -1
            for _, start, end in chars:
                if piece and offset >= 0 and end - start == len(word):
                    start, end = start + offset, start + offset + len(piece)
                spans[docnum].append((start, end, word))
    return spans


def _snippet(text: str, spans: list[Span], top: int) -> str:
    """Up to ``top`` fragments of ``text`` around the spans, the matches marked, everything escaped."""
    if not spans:
        return ""
    tokens: list[Token] = []
    reached = -1
    for start, end, word in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start >= reached:  # a word inside a longer match is not marked twice
            tokens.append(Token(text=word, startchar=start, endchar=end, boost=1.0, matched=True))
            reached = end
    fragments = SNIPPET_FRAGMENTER.fragment_matches(text, tokens)
    best = highlight.top_fragments(fragments, top, highlight.BasicFragmentScorer(), highlight.FIRST)
    return MarkFormatter().format(best)


def _suggest(searcher: Searcher, parsed: ParsedQuery) -> str | None:
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


def _suggest_chinese(searcher: Searcher, corrector: Corrector, parsed: ParsedQuery) -> str | None:
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
