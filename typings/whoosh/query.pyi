from collections.abc import Sequence

from whoosh.matching import Matcher
from whoosh.searching import SearchContext, Searcher

class Query:
    def matcher(self, searcher: Searcher, context: SearchContext | None = None) -> Matcher: ...

class Term(Query):
    def __init__(self, fieldname: str, text: str, boost: float = 1.0) -> None: ...

class Or(Query):
    def __init__(self, subqueries: Sequence[Query], boost: float = 1.0) -> None: ...

class And(Query):
    def __init__(self, subqueries: Sequence[Query], boost: float = 1.0) -> None: ...

class Phrase(Query):
    words: list[str]
    def __init__(self, fieldname: str, words: Sequence[str], slop: int = 1, boost: float = 1.0) -> None: ...

class NumericRange(Query):
    def __init__(self, fieldname: str, start: int | None, end: int | None, boost: float = 1.0) -> None: ...

class ConstantScoreQuery(Query):
    def __init__(self, child: Query, score: float = 1.0) -> None: ...
