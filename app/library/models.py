"""The theory library: collections of documents, each kept as ordered sections, and reading positions;
and its pictures and videos (resources), shelved in the same collections by topic."""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, str_enum
from app.timeutil import utcnow

if TYPE_CHECKING:
    from app.media.models import Image, Video


class Collection(Model):
    """A shelf of the library, such as 党章党规, 经典著作, 重要讲话 or 学习资料."""

    __tablename__ = "library_collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    documents: Mapped[list["Document"]] = relationship(back_populates="collection")

    def __repr__(self) -> str:
        return f"<Collection {self.id} {self.name}>"


class Document(Model):
    """One text of the library; the database is the truth and the search index a copy of it."""

    __tablename__ = "library_documents"
    __table_args__ = (Index("ix_library_documents_collection_date", "collection_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable identifier that reading lessons point at (derived from the file name, editable).
    key: Mapped[str] = mapped_column(String(120), unique=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("library_collections.id"))
    title: Mapped[str] = mapped_column(String(300))
    author: Mapped[str] = mapped_column(String(200), default="")
    date: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(500), default="")
    # Tags separated by commas, as typed ("党章, 组织制度").
    tags: Mapped[str] = mapped_column(String(500), default="")
    source_format: Mapped[str] = mapped_column(String(10))
    # SHA-256 of the imported file: importing the same file again changes nothing.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Who uploaded it through the site (None: the command line, or before this was recorded). Only
    # they or an admin may change it (app/library/permissions.py); its text only when they ask to.
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )

    collection: Mapped[Collection] = relationship(back_populates="documents")
    sections: Mapped[list["Section"]] = relationship(
        back_populates="document", order_by="Section.position", cascade="all, delete-orphan"
    )
    revisions: Mapped[list["DocumentRevision"]] = relationship(
        back_populates="document", order_by="DocumentRevision.number", cascade="all, delete-orphan"
    )

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    @property
    def char_count(self) -> int:
        return sum(len(section.text) for section in self.sections)

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.key}>"


class Section(Model):
    """A chapter or section of a document, in reading order, with the anchor links point at."""

    __tablename__ = "library_sections"
    __table_args__ = (
        UniqueConstraint("document_id", "position", name="uq_library_sections_document_position"),
        UniqueConstraint("document_id", "anchor", name="uq_library_sections_document_anchor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("library_documents.id", ondelete="CASCADE"))
    position: Mapped[int]
    level: Mapped[int] = mapped_column(default=1)
    heading: Mapped[str] = mapped_column(String(300), default="")
    anchor: Mapped[str] = mapped_column(String(40))
    # Plain text; paragraphs are separated by a blank line.
    text: Mapped[str] = mapped_column(Text, default="")

    document: Mapped[Document] = relationship(back_populates="sections")

    @property
    def paragraphs(self) -> list[str]:
        return [paragraph for paragraph in self.text.split("\n\n") if paragraph.strip()]


class DocumentRevision(Model):
    """A document's text as it was before another file replaced it: a replacement loses nothing."""

    __tablename__ = "library_document_revisions"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_library_document_revisions_document_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("library_documents.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1 for the first text replaced, then 2, ...
    title: Mapped[str] = mapped_column(String(300))
    source_format: Mapped[str] = mapped_column(String(10))
    content_hash: Mapped[str] = mapped_column(String(64))
    # The replaced sections: [{"position", "level", "heading", "anchor", "text"}, ...] in order.
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(back_populates="revisions")

    @property
    def text(self) -> str:
        return "\n\n".join(section["text"] for section in self.sections)


class ReadingPosition(Model):
    """Where a member last was in a document, so the reading page can take them back there."""

    __tablename__ = "library_reading_positions"
    __table_args__ = (
        UniqueConstraint("user_id", "document_id", name="uq_library_reading_positions_user_document"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        ForeignKey("library_documents.id", ondelete="CASCADE"), index=True
    )
    anchor: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IndexPending(Model):
    """A document whose search-index entries may not match the database yet (changed or deleted).

    Written in the transaction that changes the document, so no change can go unrecorded; removed by
    the indexing job that brought the index in line with it (only if no newer change replaced the
    token meanwhile). What a crash or a lost queue entry leaves here is queued again when the worker
    starts. No foreign key: a deleted document's row is what removes it from the index.
    """

    __tablename__ = "library_index_pending"

    document_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<IndexPending {self.document_id}>"


class ResourceKind(enum.StrEnum):
    VIDEO = "video"
    IMAGE = "image"


class Resource(Model):
    """A picture or a video of the library (文字、视频、图片一体): shown with its caption, found by search.

    A video resource points at a video of the media library (uploaded and transcoded there); a picture
    at an image checked and re-encoded by app/media/images.py. Members see only published resources.
    """

    __tablename__ = "library_resources"
    __table_args__ = (Index("ix_library_resources_collection_topic", "collection_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind))
    title: Mapped[str] = mapped_column(String(200))
    caption: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(100), default="")  # 专题, such as 党史学习教育
    collection_id: Mapped[int] = mapped_column(ForeignKey("library_collections.id"))
    video_id: Mapped[int | None] = mapped_column(ForeignKey("videos.id"), index=True)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id"), index=True)
    published: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    collection: Mapped[Collection] = relationship()
    video: Mapped["Video | None"] = relationship()
    image: Mapped["Image | None"] = relationship()

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.kind} {self.title}>"
