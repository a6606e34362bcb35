"""Write one benchmark's section of docs/benchmarks.md between its own markers."""

import platform
import re
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS_DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
# The site refuses SECRET_KEYs under 32 characters (app/config.py).
BENCHMARK_SECRET_KEY = "benchmark-secret-key-for-local-runs-only"
HEADER = "# Benchmarks\n\nEach section is written by its script in `benchmarks/`; rerun the script to refresh it.\n"


def machine_line() -> str:
    import os

    return (
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}"
    )


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section between <!-- benchmark:name --> markers."""
    start, end = f"<!-- benchmark:{name} -->", f"<!-- /benchmark:{name} -->"
    section = f"{start}\n{body.strip()}\n{end}"
    text = BENCHMARKS_DOC.read_text(encoding="utf-8") if BENCHMARKS_DOC.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _match: section, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{section}\n"
    )
    BENCHMARKS_DOC.parent.mkdir(parents=True, exist_ok=True)
    BENCHMARKS_DOC.write_text(text, encoding="utf-8")
