"""The search index: the only package that touches whoosh.

One whoosh document per section (so a hit points at its section), collapsed to the best section per
library document at query time. The index is a rebuildable copy of the database. One module per
concern, each with its details:

- ``analysis``: jieba's words and the dictionary words inside long words; the schema;
- ``storage``: index generations on disk, the atomic swap, the write lock, each process's searcher;
- ``building``: updating documents and full rebuilds (with the forked helpers tied to the rebuild);
- ``parsing``: what a user typed, and the capped expansion of partial words and prefixes;
- ``clauses``: the whoosh query (BM25F, the title boosted over headings over the body);
- ``ranking``: the definition bonus and exact words first within the top documents, the counts;
- ``snippets``: the marked fragments of each hit, and the suggestion when nothing matched;
- ``search``: one call from typed text to a page of hits;
- ``resources``: the pictures' and videos' own index (same engine, its own folder).

A missing or unreadable index is detected on use (``IndexUnavailable``) but never rebuilt by the
searcher: a web request must answer at once, so the caller (``services.search_library``) queues the
rebuild as a job and answers from what is indexed meanwhile. The job worker rebuilds.

Callers use this package's names (``from app.library import index``; ``index.search(...)``).
"""

from app.library.index.analysis import SUBWORD_POSITIONS, ChineseTokenizer, analyse, init_app, make_schema
from app.library.index.building import (
    ensure_index,
    full_build_writer,
    rebuild,
    section_records,
    update_document,
    update_documents,
    write_records,
)
from app.library.index.clauses import build_query, definition_query
from app.library.index.parsing import (
    MAX_EXPANSION,
    MAX_QUERY_CHARS,
    MAX_QUERY_PARTS,
    Expansions,
    ParsedQuery,
    QueryRun,
    clean_query_text,
    expand,
    parse_query,
)
from app.library.index.resources import (
    RESOURCES_FOLDER,
    rebuild_resources,
    resource_index,
    resource_record,
    update_resources,
)
from app.library.index.search import PAGE_SIZE, IndexResults, search
from app.library.index.snippets import IndexHit
from app.library.index.storage import CURRENT, IndexUnavailable, LibraryIndex, close_all, library_index

__all__ = [
    "CURRENT",
    "MAX_EXPANSION",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_PARTS",
    "PAGE_SIZE",
    "RESOURCES_FOLDER",
    "SUBWORD_POSITIONS",
    "ChineseTokenizer",
    "Expansions",
    "IndexHit",
    "IndexResults",
    "IndexUnavailable",
    "LibraryIndex",
    "ParsedQuery",
    "QueryRun",
    "analyse",
    "build_query",
    "clean_query_text",
    "close_all",
    "definition_query",
    "ensure_index",
    "expand",
    "full_build_writer",
    "init_app",
    "library_index",
    "make_schema",
    "parse_query",
    "rebuild",
    "rebuild_resources",
    "resource_index",
    "resource_record",
    "search",
    "section_records",
    "update_document",
    "update_documents",
    "update_resources",
    "write_records",
]
