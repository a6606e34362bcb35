"""Extensions created once here and bound to the application in ``create_app``."""

import enum
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import ApplicationLimit, Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import CursorResult, Delete, Engine, Enum, MetaData, Update, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Stable constraint names, so Alembic migrations name the same thing on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def str_enum(enum_class: type[enum.StrEnum]) -> Enum:
    """Store an enum as its string values with a CHECK constraint: portable, and readable in SQL."""
    return Enum(
        enum_class, native_enum=False, length=20, values_callable=lambda members: [m.value for m in members]
    )


db = SQLAlchemy(model_class=Base)

# The base of every model. At run time it is Flask-SQLAlchemy's ``db.Model``, a subclass of Base made
# by ``SQLAlchemy()`` (it binds the session and names tables); a type checker cannot follow a class
# made at run time, so it checks the models against Base, the typed DeclarativeBase above.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def bearer_token() -> str | None:
    """The token of the request's ``Authorization: Bearer ...`` header, or None: the one parser of it."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# API clients' tokens (app/auth/tokens.py) start with this; other bearer tokens are a lesson page's
# viewing tokens (app/progress/watching/viewing.py), which only heartbeats take.
API_TOKEN_PREFIX = "psk_"


def api_token() -> str | None:
    """The request's bearer token when it is an API client's, else None."""
    token = bearer_token()
    return token if token is not None and token.startswith(API_TOKEN_PREFIX) else None


def _token_key() -> str:
    return "token:" + hashlib.sha256((api_token() or "").encode()).hexdigest()


# Every bearer token's requests share one budget across the API (RATELIMIT_API_TOKEN); requests
# signed in by cookie are limited per route where it matters (sign-in, heartbeats).
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[],
    application_limits=[
        ApplicationLimit(
            lambda: current_app.config["RATELIMIT_API_TOKEN"],
            key_function=_token_key,
            exempt_when=lambda: api_token() is None,
        )
    ],
)


def contains_pattern(text: str) -> str:
    """A LIKE/ILIKE pattern (escape character ``\\``) matching ``text`` anywhere, as plain text.

    NUL is dropped: PostgreSQL refuses it in text parameters, and no stored text holds it.
    """
    escaped = text.replace("\x00", "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# The two databases the site runs on, each with its own INSERT ... ON CONFLICT construct.
UPSERT_DIALECTS: dict[str, Callable[[type[Base]], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def insert_unless_taken(model: type[Base], **values: object) -> int | None:
    """Insert one row in the caller's transaction unless a unique key already holds it; return the
    new row's id (its primary key), or None when the key was taken (by an earlier or a concurrent
    transaction).

    ``INSERT ... ON CONFLICT DO NOTHING`` decides in the database, so "at most one" rules hold under
    concurrent requests without a read-then-write race, and a lost race aborts nothing else of the
    caller's transaction (an IntegrityError would have to roll it all back).
    """
    dialect_insert = UPSERT_DIALECTS[db.session.get_bind().dialect.name]
    primary_key = inspect(model).primary_key[0]
    statement = dialect_insert(model).values(**values).on_conflict_do_nothing().returning(primary_key)
    new_id: int | None = db.session.scalar(statement)
    return new_id


def rows_changed(statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE in the caller's transaction; return how many rows it matched."""
    result = cast(CursorResult[Any], db.session.execute(statement))  # DML answers with a cursor result
    return result.rowcount


SQLITE_SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")


def tune_sqlite(engine: Engine, synchronous: str) -> None:
    """Set up each new SQLite connection for a web server and a job worker sharing one file.

    WAL lets readers go on while one connection writes. In WAL mode ``synchronous=NORMAL`` is still
    safe against a killed process (a power cut may lose the last commits, never corrupt the file) and
    spares an fsync per commit: every heartbeat is a commit. Other databases are left alone.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    if synchronous.upper() not in SQLITE_SYNCHRONOUS_LEVELS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS_LEVELS)}")

    @event.listens_for(engine, "connect")
    def set_pragmas(connection: DBAPIConnection, _record: object) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()
