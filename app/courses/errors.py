"""The courses domain's errors, turned into clear messages at the edges."""

from pathlib import Path

from flask_babel import gettext as _

from app.errors import DomainError


class CourseError(DomainError):
    """A rule about courses was broken; the message is for the user."""


class LessonFieldError(CourseError):
    """A lesson's field holds something that cannot be saved; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class CourseFormatError(CourseError):
    """A course folder does not follow the format: names the file and, when known, the line."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path = str(path)
        self.line = line
        self.problem = problem
        if line:
            message = _("%(path)s, line %(line)d: %(problem)s", path=self.path, line=line, problem=problem)
        else:
            message = _("%(path)s: %(problem)s", path=self.path, problem=problem)
        super().__init__(message)
