"""Who may do what in the library: the one place for these rules.

Every signed-in member reads and searches every document; trainers and admins also upload, edit
metadata and delete. Nothing in the library is scoped by organisation unit.
"""

from app.auth.models import Role, User

LIBRARIANS = frozenset({Role.TRAINER, Role.ADMIN})


def can_read_library(user: User) -> bool:
    return bool(user.is_authenticated)


def can_manage_library(user: User) -> bool:
    return bool(user.is_authenticated) and bool(user.roles & LIBRARIANS)
