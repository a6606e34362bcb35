"""The progress domain's exceptions, turned into clear messages at the edges."""

from app.errors import DomainError


class ProgressError(DomainError):
    pass
