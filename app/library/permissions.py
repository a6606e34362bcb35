"""Who may do what in the library: the one place for these rules.

Every signed-in member reads and searches every document; trainers and admins also upload, edit
metadata and delete. Replacing a document's text with another file is for the trainer who uploaded
it and for admins (documents added from the command line: admins only). Nothing in the library is
scoped by organisation unit.
"""

from typing import TYPE_CHECKING

from app.auth.models import Role, User

if TYPE_CHECKING:
    from app.library.models import Document

LIBRARIANS = frozenset({Role.TRAINER, Role.ADMIN})


def can_read_library(user: User) -> bool:
    return bool(user.is_authenticated)


def can_manage_library(user: User) -> bool:
    return bool(user.is_authenticated) and bool(user.roles & LIBRARIANS)


def can_replace_document(user: User, document: "Document") -> bool:
    """Whether ``user`` may replace the text of ``document`` by uploading another file."""
    if not can_manage_library(user):
        return False
    return Role.ADMIN in user.roles or (
        document.imported_by_id is not None and document.imported_by_id == user.id
    )
