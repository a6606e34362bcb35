"""Analysis: how text becomes index words (jieba's words, the dictionary words inside long words),
and the schema that stores them.

The analyzer numbers positions by token (jieba's own ``ChineseAnalyzer`` uses character offsets,
which makes every phrase query miss) and stores character offsets, so highlighting never re-runs
jieba. It is pickled into the index's schema under the name ``app.library.index.ChineseTokenizer``
(see ``ChineseTokenizer.__module__`` below): keep that name importable.
"""

import logging
import re
import unicodedata
from collections.abc import Iterator

import jieba
from flask import Flask
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

WORD_CHAR = re.compile(r"\w")
# Full-width ASCII (ＡＢＣ１２３) to half-width, one character for one, so offsets stay valid.
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
SUBWORD_POSITIONS = 1 << 30  # where the words inside long words are numbered: away from the phrases
WORD_CACHE_SIZE = 200_000
InnerWord = tuple[str, int, int, str]  # a dictionary word inside a long word: text, offset, length, original
AnalysedWord = tuple[str, tuple[InnerWord, ...]]  # a word's normalised text, and its inner words
_SKIP: AnalysedWord = ("", ())


def _normalise_token(word: str) -> str:
    return word.lower() if word.isascii() else unicodedata.normalize("NFKC", word).lower()


def _analyse_word(word: str) -> AnalysedWord:
    """A jieba word as the index keeps it: its normalised text and the dictionary words inside it.

    Each inner word is (text, offset in the word, length, original). Punctuation and spaces give
    ``_SKIP``. Cached per word: running text repeats its words, so the index pays for each once.
    """
    if not WORD_CHAR.search(word):
        return _SKIP
    parts: list[InnerWord] = []
    if len(word) > 2 and not word.isascii():
        frequencies = jieba.dt.FREQ
        for size in (2, 3):
            for offset in range(len(word) - size + 1):
                gram = word[offset : offset + size]
                if gram != word and frequencies.get(gram):
                    parts.append((_normalise_token(gram), offset, size, gram))
    return _normalise_token(word), tuple(parts)


_words: dict[str, AnalysedWord] = {}


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
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
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
        deferred: list[tuple[int, int, tuple[InnerWord, ...]]] = []  # (word position, its start, inner words)
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


# Indexes on disk hold a pickled schema naming this class by module and name: the name it had when
# the index was one module. The package re-exports it, so old and new indexes both load.
ChineseTokenizer.__module__ = "app.library.index"


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
