"""Reading what a user typed: words, quoted phrases, prefixes, and the Chinese runs that may lie
inside longer indexed words, with the capped expansion of partial words and prefixes.

Queries have almost no syntax: words are ANDed, quoted parts are phrases, and a trailing ``*`` makes
a prefix (``democra*``); nothing else is special. A run of Chinese characters that jieba does not
index as it stands (民主集中, which the text holds inside the word 民主集中制) also matches the longer
indexed words containing it, found among jieba's dictionary words. Expansion is capped: a partial
word or a prefix stands for at most MAX_EXPANSION indexed words, the most frequent of at most
EXPANSION_SCAN candidates, found in at most EXPANSION_POSTINGS sections in all (the most frequent
word always counts), so ``a*`` or ``中*`` costs about what one common word costs. ``*`` alone is
nothing.
"""

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import jieba
from whoosh.reading import IndexReader

from app.library.index.analysis import FULL_WIDTH, _normalise_token, analyse

MAX_QUERY_CHARS = 200
MAX_QUERY_PARTS = 12
MAX_SUGGESTED_WORD = 20
CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
CHINESE_RUN = re.compile(rf"[\u4e00-\u9fff]{{3,{MAX_SUGGESTED_WORD}}}")
CHINESE_RUN_ANY = re.compile(r"[\u4e00-\u9fff]{2,}")
QUOTES = re.compile(r'["“”「」『』]')
PREFIX = re.compile(r"(\w+)[*＊]")  # a word with a trailing star: a prefix
OPERATORS = re.compile(r"\b(?:AND|OR|NOT)\b")
# Partial words and prefixes stand for at most MAX_EXPANSION indexed words, the most frequent of at
# most EXPANSION_SCAN candidates, found in at most EXPANSION_POSTINGS sections in all (the first word
# always counts): a broad prefix such as a* or 中* stays a small, fast query.
MAX_EXPANSION = 32
EXPANSION_SCAN = 400
EXPANSION_POSTINGS = 5_000
EXPANDED_FIELDS = ("title", "heading", "body")


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
    runs: list[QueryRun] = []
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
    blob, position = _dictionary_words_blob(), 0
    found: list[str] = []
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


def _most_frequent(reader: IndexReader, candidates: Iterable[str]) -> list[str]:
    """The candidates the index holds, most frequent first: at most MAX_EXPANSION of them, and no
    more than EXPANSION_POSTINGS sections' worth of postings in all (but always the first one), so
    a broad prefix costs about what one common word costs."""
    counted: list[tuple[int, str]] = []  # (minus the frequency, the word): most frequent first
    for word in candidates:
        frequency = sum(reader.doc_frequency(name, word) for name in EXPANDED_FIELDS)
        if frequency:
            counted.append((-frequency, word))
    chosen: list[str] = []
    postings = 0
    for negative, word in sorted(counted)[:MAX_EXPANSION]:
        if chosen and postings - negative > EXPANSION_POSTINGS:
            break
        chosen.append(word)
        postings -= negative
    return chosen


def _prefixed_words(reader: IndexReader, prefix: str) -> list[str]:
    """Indexed words starting with ``prefix``: at most EXPANSION_SCAN read per field in term order."""
    candidates: set[str] = set()
    for name in EXPANDED_FIELDS:
        for number, term in enumerate(reader.expand_prefix(name, prefix)):
            if number >= EXPANSION_SCAN:
                break
            candidates.add(term.decode("utf-8") if isinstance(term, bytes) else term)
    return _most_frequent(reader, sorted(candidates))


def expand(reader: IndexReader, parsed: ParsedQuery) -> Expansions:
    """The indexed words standing for each partial piece and prefix of the query (capped)."""
    expansions = Expansions()
    for run in parsed.runs:
        for piece, _words in run.units:
            if piece not in expansions.partial:
                expansions.partial[piece] = _most_frequent(reader, _containing_words(piece))
    for prefix in parsed.prefixes:
        expansions.prefix[prefix] = _prefixed_words(reader, prefix)
    return expansions
