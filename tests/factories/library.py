"""Library fixtures: documents built through the real importers and the real whoosh index."""

from pathlib import Path

from app.auth.models import User
from app.library import services
from app.library.models import Document
from tests.factories.auth import user_named

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def make_document(
    title: str = "学习笔记",
    body: str = "## 第一节\n\n正文。",
    collection: str = "学习资料",
    filename: str | None = None,
    date: str | None = None,
    tags: str | None = None,
    by: User | None = None,
) -> Document:
    """Import a Markdown document (front matter from the arguments) and index it; uploaded by ``by``
    (None: as from the command line, with no recorded uploader)."""
    front = [f"title: {title}"]
    if date:
        front.append(f"date: {date}")
    if tags:
        front.append(f"tags: {tags}")
    text = "---\n" + "\n".join(front) + "\n---\n\n" + body + "\n"
    outcome = services.import_upload(
        filename or f"{title}.md", text.encode("utf-8"), services.ensure_collection(collection), user=by
    )
    return services.get_document(outcome.document_id)


def picture_bytes(size: tuple[int, int] = (64, 48), mode: str = "RGB", fmt: str = "PNG", **save) -> bytes:
    """A real picture made by Pillow (``save`` options such as ``exif=`` go to Image.save)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else None).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def make_resource(
    kind: str = "video",
    title: str = "红船精神",
    caption: str = "南湖红船的故事。",
    topic: str = "党史学习教育",
    collection: str = "影像资料",
    by: str = "trainer",
    published: bool = True,
    video=None,
):
    """A picture or video resource added through the real service (indexed in immediate job mode)."""
    from app.library import resources

    author = user_named(by)
    fields = resources.ResourceFields(title, caption, topic, collection, published)
    if kind == "image":
        return resources.add_image_resource(author, fields, picture_bytes())
    if video is None:
        import secrets

        from tests.factories.media import make_ready_video

        video = make_ready_video(duration=100.0, sha256=secrets.token_hex(32))
    return resources.add_video_resource(author, fields, video.id)
