"""The whoosh query of a parsed query: every word, phrase and prefix must match; the title counts
over headings over the body (BM25F); a passage defining the term earns a bonus."""

from whoosh import query

from app.library.index.parsing import Expansions, ParsedQuery

TITLE_BOOST, HEADING_BOOST, TAG_BOOST, DEFINITION_BOOST = 4.0, 2.0, 2.0, 3.0
PARTIAL_BOOST = 0.25  # a word found inside a longer word counts less than the word itself


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
    partial = expansions.partial if expansions else {}
    for run in parsed.runs if expansions else []:
        if not any(partial.get(piece) for piece, _ in run.units):
            continue
        words = {word: _word_clause(word) for word in run.words}
        for piece, piece_words in run.units[1:] if len(run.words) > 1 else run.units:
            found = partial.get(piece)
            if found:
                exact = _all_of([_word_clause(word) for word in piece_words])
                words[piece_words[0]] = query.Or([exact, _any_word_clause(found, PARTIAL_BOOST)])
                for word in piece_words[1:]:
                    words.pop(word, None)
        alternatives = [_all_of(list(words.values()))]
        whole = partial.get(run.text) if len(run.words) > 1 else None
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
    for phrase in parsed.phrases:
        clauses.append(
            query.Or(
                [
                    query.Phrase("title", phrase, boost=TITLE_BOOST),
                    query.Phrase("heading", phrase, boost=HEADING_BOOST),
                    query.Phrase("body", phrase),
                ]
            )
        )
    if not clauses:
        return None
    return _all_of(clauses)


def definition_query(parsed: ParsedQuery) -> query.Phrase | None:
    """A passage saying "<query>是…" most likely defines the term: it earns a ranking bonus."""
    if parsed.words and not parsed.phrases and len(parsed.words) <= 4:
        return query.Phrase("body", [*parsed.words, "是"], boost=DEFINITION_BOOST)
    return None
