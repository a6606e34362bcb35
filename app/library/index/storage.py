"""On-disk versions: index generations, the atomic swap, the write lock, and each process's searcher.

``SEARCH_INDEX_DIR/current`` is a symlink to a generation folder (``gen-...``). A rebuild writes a new
generation beside it and swaps the link with one atomic rename: a crash mid-way leaves the old
generation answering, and readers are never blocked. Each process keeps one long-lived searcher per
index folder, refreshed when a commit or a swap has happened (opening a searcher on a compound
index copies the term file: ~150 ms at 20,000 documents, hence segments written with
``compound=False``). A missing or unreadable index raises ``IndexUnavailable``; it is never rebuilt
here.
"""

import atexit
import fcntl
import gc
import os
import secrets
import shutil
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from whoosh import index
from whoosh.searching import Searcher

CURRENT = "current"
LOCK_FILE = ".write.lock"


class IndexUnavailable(Exception):
    """The index is missing or unreadable; it gets rebuilt from the database."""


class LibraryIndex:
    """One index folder and this process's long-lived searcher on it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.RLock()
        self._generation: str | None = None
        self._opened: tuple[index.FileIndex, Searcher] | None = None  # the generation's index, its searcher

    # Generations and the atomic swap.

    def current_generation(self) -> str | None:
        try:
            target = os.readlink(self.root / CURRENT)
        except OSError:
            return None
        return target if (self.root / target).is_dir() else None

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Serialise writers across processes (updates wait while a rebuild runs; readers never do)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK_FILE, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def swapped_at(self) -> datetime | None:
        """When the current generation was swapped in (naive UTC), or None when there is none."""
        try:
            return datetime.fromtimestamp(os.lstat(self.root / CURRENT).st_mtime, UTC).replace(tzinfo=None)
        except OSError:
            return None

    def _swap(self, generation: str) -> None:
        link = self.root / f".{CURRENT}-{secrets.token_hex(4)}"
        os.symlink(generation, link)
        os.replace(link, self.root / CURRENT)  # atomic: readers see the old or the new generation

    def _clean_up(self, keep: set[str]) -> None:
        """Remove unfinished builds, generations older than the previous one, and the temporary link
        of a swap cut off between its two steps (called under the write lock, so no swap is running)."""
        generations = sorted(path for path in self.root.glob("gen-*") if path.name not in keep)
        for path in generations:
            shutil.rmtree(path, ignore_errors=True)
        for link in self.root.glob(f".{CURRENT}-*"):
            link.unlink(missing_ok=True)

    def open_index(self) -> index.FileIndex:
        generation = self.current_generation()
        if generation is None:
            raise IndexUnavailable("no current index generation")
        with warnings.catch_warnings():
            # whoosh leaves the files of a damaged index open when it fails: let them be collected
            # here, quietly, instead of warning at some random later moment.
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return index.open_dir(str(self.root / generation))
            except Exception as error:  # whoosh raises many kinds on damaged files
                problem = f"cannot open {generation}: {error!r}"
            gc.collect()
        raise IndexUnavailable(problem)

    # The long-lived searcher.

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Yield this process's searcher, refreshed if a commit or a swap happened meanwhile."""
        with self._lock:
            generation = self.current_generation()
            if self._opened is None or generation != self._generation:
                self._opened = self._open_searcher()
            elif not self._opened[1].up_to_date():
                # Not Searcher.refresh(): it reuses the reader of a segment whose deletions changed
                # (whoosh keys readers by segment id), so deleted documents would still be found.
                ix, stale = self._opened
                fresh = ix.searcher()
                stale.close()
                self._opened = (ix, fresh)
            yield self._opened[1]

    def _open_searcher(self) -> tuple[index.FileIndex, Searcher]:
        """Open the current generation; raise IndexUnavailable (never rebuild: that is a job's work)."""
        self.close()
        ix = self.open_index()
        with warnings.catch_warnings():
            # As in open_index: the files whoosh left open on failing are collected here, quietly.
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                searcher = ix.searcher()
            except Exception as error:  # whoosh raises many kinds on damaged files
                problem = f"cannot read {self.root}: {error!r}"
            else:
                self._generation = self.current_generation()
                return ix, searcher
            ix.close()
            gc.collect()
        raise IndexUnavailable(problem)

    def close(self) -> None:
        with self._lock:
            if self._opened is not None:
                self._opened[1].close()
            self._opened = self._generation = None

    def forget_searcher_after_failure(self) -> None:
        """Drop the searcher after a read error, so the next use reopens (or rebuilds) the index."""
        self.close()


_indexes: dict[str, LibraryIndex] = {}
_indexes_lock = threading.Lock()


def close_all() -> None:
    """Close every searcher this process holds (at exit, and between tests)."""
    with _indexes_lock:
        for library in _indexes.values():
            library.close()
        _indexes.clear()


atexit.register(close_all)


def library_index(root: str | Path | None = None) -> LibraryIndex:
    """Return this process's LibraryIndex for ``root`` (default: the app's SEARCH_INDEX_DIR)."""
    path = Path(root or current_app.config["SEARCH_INDEX_DIR"]).resolve()
    with _indexes_lock:
        if str(path) not in _indexes:
            _indexes[str(path)] = LibraryIndex(path)
        return _indexes[str(path)]


# --- writing ----------------------------------------------------------------------------------
