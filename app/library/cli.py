"""`flask library ...`: import documents, rebuild the search index, search from the shell."""

import json
import os
import sys
import time

import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.library import index, services

library_cli = AppGroup("library", help="The theory library: documents and search.")


@library_cli.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--collection", "collection_name", required=True, help="Collection name, e.g. 党章党规.")
@click.option(
    "--index-now",
    is_flag=True,
    help="Index the added documents before returning, instead of queueing them for `flask worker`.",
)
def add(paths: tuple[str, ...], collection_name: str, index_now: bool) -> None:
    """Import files and folders (recursively): Markdown, plain text, HTML, EPUB."""
    try:
        report = services.import_paths(list(paths), collection_name, index_now=index_now)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    for outcome in report.outcomes:
        if outcome.status == "refused":
            click.echo(f"refused   {outcome.path}: {outcome.reason}")
        else:
            click.echo(
                f"{outcome.status:<9} {outcome.path} -> #{outcome.document_id} "
                f"{outcome.title} ({outcome.sections} sections)"
            )
    counts = {status: 0 for status in ("imported", "updated", "unchanged", "refused")}
    for outcome in report.outcomes:
        counts[outcome.status] += 1
    click.echo(", ".join(f"{count} {status}" for status, count in counts.items()))
    if report.indexed:
        click.echo(f"search index: {len(report.indexed)} document(s) indexed; they can be found now.")
    if report.queued:
        click.echo(
            f"search index: {len(report.queued)} document(s) queued for the worker, not indexed yet; "
            "they can be found once `flask worker` has run the job (or add them with --index-now "
            "to index before returning)."
        )
    if report.refused:
        sys.exit(1)


@library_cli.command("reindex")
@click.option(
    "--procs",
    default=min(2, os.cpu_count() or 1),
    show_default="2, or 1 on a single core",
    help="Indexing processes (two build about twice as fast: docs/benchmarks.md).",
)
def reindex(procs: int) -> None:
    """Rebuild the search index from the database into a new folder and swap it in atomically."""
    started = time.perf_counter()
    sections = services.rebuild_index(procs=max(1, procs))
    click.echo(f"search index rebuilt: {sections} sections in {time.perf_counter() - started:.1f} s")
    click.echo(f"resources index rebuilt: {index.rebuild_resources()} pictures and videos")


@library_cli.command("search")
@click.argument("query")
@click.option("--collection", "collection_value", default=None, help="Collection id or name.")
@click.option("--year", type=int, default=None)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
def search(query: str, collection_value: str | None, year: int | None, sort: str, page: int, as_json: bool):
    """Search the library as the search page does."""
    collection = services.find_collection(collection_value)
    if collection_value and collection is None:
        raise click.ClickException(f"no collection {collection_value!r}")
    found = services.search_library(query, collection=collection, year=year, sort=sort, page=page)
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
        return
    if found.notice:
        click.echo(found.notice)
    click.echo(f"{found.total} documents (page {found.page} of {found.pages})")
    if found.suggestion:
        click.echo(f"did you mean: {found.suggestion}")
    for result in found.results:
        click.echo(
            f"#{result.document_id} {result.title} [{result.collection}] §{result.section_anchor} "
            f"{result.section_heading} ({result.score})"
        )
