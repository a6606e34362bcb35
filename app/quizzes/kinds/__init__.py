"""The question kinds: one module each here, found through ``KINDS`` (the CTFd registry pattern).

Each kind class (``base.Kind``) owns its grading, its GIFT block, its Excel row, its editor form, its
quiz-page inputs and the typed shape of its answers (``app/quizzes/answers.py``); ``gift.py``,
``excel.py``, the editor, the attempt services and the pages dispatch through the registry. Every
module of this package is imported here, and its ``@register`` classes join ``KINDS``: adding a kind
is adding a module (docs/architecture.md, "How to add a question kind").
"""

import importlib
import pkgutil

from app.quizzes.gift_syntax import NUMBER
from app.quizzes.kinds.base import (
    FULL_MARKS,
    KINDS,
    LETTERS,
    AnyKind,
    Kind,
    ResponseError,
    clamp,
    clean_text,
    get_kind,
    kind_names,
    kind_of_gift_block,
    normalise_text,
    page_inputs_template,
    parse_number,
    register,
    unregister,
)

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "FULL_MARKS",
    "KINDS",
    "LETTERS",
    "NUMBER",
    "AnyKind",
    "Kind",
    "ResponseError",
    "clamp",
    "clean_text",
    "get_kind",
    "kind_names",
    "kind_of_gift_block",
    "normalise_text",
    "page_inputs_template",
    "parse_number",
    "register",
    "unregister",
]
