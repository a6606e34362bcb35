"""Library fixtures: documents built through the real importers and the real whoosh index."""

from pathlib import Path

from app.library import services
from app.library.models import Document

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def make_document(
    title: str = "学习笔记",
    body: str = "## 第一节\n\n正文。",
    collection: str = "学习资料",
    filename: str | None = None,
    date: str | None = None,
    tags: str | None = None,
) -> Document:
    """Import a Markdown document (front matter from the arguments) and index it."""
    front = [f"title: {title}"]
    if date:
        front.append(f"date: {date}")
    if tags:
        front.append(f"tags: {tags}")
    text = "---\n" + "\n".join(front) + "\n---\n\n" + body + "\n"
    outcome = services.import_upload(
        filename or f"{title}.md", text.encode("utf-8"), services.ensure_collection(collection)
    )
    return services.get_document(outcome.document_id)
