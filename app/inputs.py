"""Reading what a client sends: the one JSON body reader of /api/v1 and the query-string numbers.

Hostile input must get a clear 400 (or the caller's own refusal), never a 500. Python's json module
accepts what a database column or a float cannot hold (``10**400`` as an integer, ``1e400`` as
infinity, ``NaN``) and recurses once per nesting level (a body nested 5,000 deep raises
RecursionError, which ``get_json(silent=True)`` does not catch). So every JSON body is read here (the
request class's JSON module), with limits on its size, its nesting depth and its numbers, before any
endpoint sees it: a hostile body is a 400 even for ``get_json(silent=True)``. And every
page number or numeric filter of a query string goes through ``page_arg`` / ``int_arg``.
"""

import json
import math
import re
from typing import Any, NoReturn, overload

import flask
from flask import json as flask_json
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

# An API body is a few fields (a quiz page's answers are the largest); anything bigger is not ours.
MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
# The largest integer a JSON client (JavaScript) can send exactly; ids and counters stay far below.
MAX_JSON_INTEGER = 2**53
# Every integer column (ids, revisions, sequence numbers) holds this much on both databases.
MAX_COLUMN_INTEGER = 2**31 - 1
# Study years the ledger and the reports know.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Paginated pages: beyond this no list of ours has rows (and OFFSET stays a small integer).
MAX_PAGE = 100_000

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class BadInput(BadRequest):
    """A request the site cannot read: ``reason`` is a stable code, ``detail`` says what to fix
    (translated). Raised from a view, it answers 400 (JSON under /api/)."""

    def __init__(self, reason: str, detail: str, raw: str = ""):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.raw = raw  # the start of what was sent, for a stored refusal


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text (strings skipped), without recursion."""
    depth = deepest = 0
    for bracket in _BRACKETS.finditer(_STRING.sub('""', text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _out_of_range(raw: str) -> BadInput:
    return BadInput(
        "number_out_of_range",
        _("A number in the request is out of range (whole numbers up to %(most)s).", most=MAX_JSON_INTEGER),
        raw,
    )


def loads(text: str) -> Any:
    """Parse JSON text within the limits, or raise BadInput."""
    raw = text[:1000]
    if _depth(text) > MAX_JSON_DEPTH:
        raise BadInput(
            "too_deep",
            _("The request is nested too deeply (at most %(most)s levels).", most=MAX_JSON_DEPTH),
            raw,
        )

    def integer(digits: str) -> int:
        if len(digits) > 17 or abs(int(digits)) > MAX_JSON_INTEGER:
            raise _out_of_range(raw)
        return int(digits)

    def real(digits: str) -> float:
        value = float(digits)
        if not math.isfinite(value):
            raise _out_of_range(raw)
        return value

    def constant(name: str) -> NoReturn:
        raise BadInput(
            "not_json", _("The request is not valid JSON (%(name)s is not a number).", name=name), raw
        )

    try:
        return json.loads(text, parse_int=integer, parse_float=real, parse_constant=constant)
    except ValueError:
        raise BadInput("not_json", _("The request is not valid JSON."), raw) from None


class LimitedJSON:
    """The JSON module of every request (``Request.json_module``): ``request.get_json()`` anywhere,
    with or without ``silent=True``, reads through ``loads`` and its limits."""

    @staticmethod
    def loads(data: str | bytes) -> Any:
        if len(data) > MAX_JSON_BYTES:
            raise BadInput(
                "too_large",
                _("The request is too large (at most %(most)s KiB).", most=MAX_JSON_BYTES // 1024),
            )
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise BadInput(
                    "not_json", _("The request is not valid UTF-8 text."), repr(data[:200])
                ) from None
        return loads(data)

    @staticmethod
    def dumps(value: Any, **kwargs: Any) -> str:
        return flask_json.dumps(value, **kwargs)


class Request(flask.Request):
    """The site's request: its JSON is always read by LimitedJSON."""

    # Flask types it as the json module; LimitedJSON has the two functions Flask calls (loads, dumps).
    @property  # type: ignore[override]
    def json_module(self) -> type[LimitedJSON]:
        return LimitedJSON

    @json_module.setter
    def json_module(self, _provider: object) -> None:
        """Flask sets the app's JSON provider on each request; the limits stay in place."""


def json_object() -> dict[str, Any]:
    """The request's JSON body when it is an object, else a clear 400 (``not_an_object``)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise BadInput("not_an_object", _('Send a JSON object, such as {"name": value}.'))
    return payload


@overload
def int_arg(name: str, low: int, high: int, default: int) -> int: ...
@overload
def int_arg(name: str, low: int, high: int, default: None = None) -> int | None: ...
def int_arg(name: str, low: int, high: int, default: int | None = None) -> int | None:
    """The query-string integer ``name`` within [low, high]; ``default`` when it is absent or empty.

    Anything else (words, signs, spaces, fractions, huge numbers) is a clear 400, never a 500.
    """
    text = request.args.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(high)) and low <= int(text) <= high):
        raise BadInput(
            "bad_parameter",
            _("%(name)s must be a whole number from %(low)s to %(high)s.", name=name, low=low, high=high),
        )
    return int(text)


def page_arg(name: str = "page") -> int:
    """The page number of a paginated page: 1 when absent, else a whole number from 1 to MAX_PAGE."""
    return int_arg(name, 1, MAX_PAGE, default=1)


def year_arg(default: int) -> int:
    """``?year=``: a year from FIRST_YEAR to LAST_YEAR, ``default`` (this year) when absent."""
    return int_arg("year", FIRST_YEAR, LAST_YEAR, default=default)


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` in every route: a number beyond the integer columns is no row's id, so it matches
    no route (404) instead of failing in the database (PostgreSQL casts the parameter to its column's
    type; SQLite's driver refuses anything beyond 64 bits). A route that checks the range itself can
    widen it: ``<int(max=9223372036854775807):…>``."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_COLUMN_INTEGER)
        super().__init__(map, *args, **kwargs)
