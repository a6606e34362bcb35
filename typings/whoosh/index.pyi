from whoosh.fields import Schema
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

class Index:
    def searcher(self) -> Searcher: ...
    def close(self) -> None: ...

class FileIndex(Index):
    def writer(
        self,
        procs: int = 1,
        *,
        multisegment: bool = ...,
        compound: bool = ...,
        limitmb: int = ...,
        timeout: float = ...,
    ) -> IndexWriter: ...

def create_in(dirname: str, schema: Schema, indexname: str | None = None) -> FileIndex: ...
def open_dir(dirname: str, indexname: str | None = None, readonly: bool = False) -> FileIndex: ...
