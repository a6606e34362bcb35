# The part of Flask-Babel's API this project uses: Flask-Babel 4 is annotated but ships no py.typed
# marker, so mypy would take every name it exports as Any (and every translated message with it).
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from babel import Locale
from flask import Flask

class Babel:
    def __init__(self, app: Flask | None = None, *args: Any, **kwargs: Any) -> None: ...
    def init_app(
        self,
        app: Flask,
        default_locale: str = ...,
        default_domain: str = ...,
        default_translation_directories: str = ...,
        default_timezone: str = ...,
        locale_selector: Callable[[], str | None] | None = None,
        timezone_selector: Callable[[], str | None] | None = None,
    ) -> None: ...

def gettext(string: str, **variables: Any) -> str: ...
def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str: ...

# A LazyString, which turns into the message in the request's language wherever a str is used (form
# labels, choices): typed as the str it stands in for.
def lazy_gettext(string: str, **variables: Any) -> str: ...
def get_locale() -> Locale | None: ...
def force_locale(locale: str) -> AbstractContextManager[None]: ...
def to_user_timezone(datetime: datetime) -> datetime: ...
def to_utc(datetime: datetime) -> datetime: ...
