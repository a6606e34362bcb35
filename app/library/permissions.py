"""Who may do what in the library: the one place for these rules.

Every signed-in member reads and searches every document; trainers and admins also upload. Changing
a document (editing its details, replacing its text with another file, deleting it) or a picture or
video resource is for the trainer who added it and for admins; what has no recorded uploader (added
from the command line or the demo) is for admins only. Nothing in the library is scoped by
organisation unit.
"""

from typing import TYPE_CHECKING

from app.auth.models import Role, User

if TYPE_CHECKING:
    from app.library.models import Document, Resource

LIBRARIANS = frozenset({Role.TRAINER, Role.ADMIN})


def can_read_library(user: User) -> bool:
    return bool(user.is_authenticated)


def can_manage_library(user: User) -> bool:
    return bool(user.is_authenticated) and bool(user.roles & LIBRARIANS)


def _added_by_or_admin(user: User, added_by_id: int | None) -> bool:
    if not can_manage_library(user):
        return False
    return Role.ADMIN in user.roles or (added_by_id is not None and added_by_id == user.id)


def can_change_document(user: User, document: "Document") -> bool:
    """Whether ``user`` may edit the details of ``document``, replace its text or delete it."""
    return _added_by_or_admin(user, document.imported_by_id)


def can_change_resource(user: User, resource: "Resource") -> bool:
    """Whether ``user`` may edit or delete the picture or video resource ``resource``."""
    return _added_by_or_admin(user, resource.created_by_id)
