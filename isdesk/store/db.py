"""One database proxy, initialised from a URL: embedded SQLite or a team's PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

from peewee import Database, DatabaseProxy, DateTimeField, Model, SqliteDatabase

from isdesk.config.locations import touch_private_file

database_proxy = DatabaseProxy()

# WAL lets readers (the queue) run while a writer saves; busy_timeout >= 5 s because SQLite's
# lock hand-off is unfair under contention (docs/design-figures.md).
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
}


class DatabaseUrlError(ValueError):
    """A --db / ISDESK_DB value isdesk cannot use; the message says what to write instead."""


@dataclass(frozen=True)
class DatabaseTarget:
    """A parsed database URL."""

    kind: str  # "sqlite" | "postgresql"
    path: Path | None = None
    dsn: dict[str, object] | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.kind == "sqlite"


def _shown(url: str) -> str:
    """``url`` for a message: the password hidden, control characters escaped."""
    import re

    hidden = re.sub(r"(://[^:/@\[\]]*):[^@/]*@", r"\1:***@", url)
    return repr(hidden)


def parse_database_url(url: str) -> DatabaseTarget:
    """Parse ``sqlite:///path`` or ``postgresql://user:pw@host:port/dbname?opt=v``.

    Anything malformed is a :class:`DatabaseUrlError` naming what is wrong (never a bare
    ValueError from urllib, which would reach the user as a traceback).
    """
    if "\x00" in url or "%00" in url:
        raise DatabaseUrlError(f"{_shown(url)}: a NUL byte (%00) cannot be in a database URL")
    try:
        parsed = urlparse(url)
    except ValueError as error:  # "Invalid IPv6 URL": an unclosed [ in the host
        raise DatabaseUrlError(
            f"{_shown(url)}: {error} (write an IPv6 host in brackets, e.g. "
            "postgresql://user@[::1]:5432/isdesk)"
        ) from None
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        raw = unquote(parsed.netloc + parsed.path)
        if not raw or raw == "/":
            raise DatabaseUrlError(
                f"{url!r}: give a file path, e.g. sqlite:///home/me/isdesk.sqlite3"
            )
        if raw == "/:memory:" or raw == ":memory:":
            raise DatabaseUrlError(
                f"{url!r}: an in-memory database is invisible to background workers; use a file"
            )
        # sqlite:///abs/path → "/abs/path"; sqlite:///./rel → "/./rel" is treated as relative.
        path = Path(raw[1:]) if raw.startswith("/./") else Path(raw)
        return DatabaseTarget(kind="sqlite", path=path.expanduser())
    if scheme in ("postgresql", "postgres"):
        dsn: dict[str, object] = {}
        if parsed.username:
            dsn["user"] = unquote(parsed.username)
        if parsed.password:
            dsn["password"] = unquote(parsed.password)
        if parsed.hostname:
            dsn["host"] = parsed.hostname
        try:
            port = parsed.port
        except ValueError:
            raise DatabaseUrlError(
                f"{_shown(url)}: the port must be a number from 1 to 65535, e.g. :5432"
            ) from None
        if port is not None:
            if port == 0:
                raise DatabaseUrlError(f"{_shown(url)}: the port must be from 1 to 65535")
            dsn["port"] = port
        dsn.update(parse_qsl(parsed.query))
        name = parsed.path.lstrip("/")
        if not name:
            raise DatabaseUrlError(
                f"{url!r}: name the database, e.g. postgresql://user@host:5432/isdesk"
            )
        dsn["database"] = unquote(name)
        return DatabaseTarget(kind="postgresql", dsn=dsn)
    raise DatabaseUrlError(
        f"{url!r}: isdesk reads sqlite:///PATH or postgresql://USER@HOST:PORT/DBNAME"
    )


class _SqliteStore(SqliteDatabase):
    """SQLite, keeping the real error when SQLite has already rolled back by itself.

    On a full disk (SQLITE_FULL) or an I/O error SQLite ends the transaction itself; the
    ROLLBACK peewee sends next would then fail with "no transaction is active" and hide the
    error the user needs to see.
    """

    def rollback(self) -> None:
        if not self.is_closed() and not self.connection().in_transaction:
            return
        super().rollback()


def open_database(url: str) -> Database:
    """Create the database object for ``url`` and bind every model to it.

    Nothing is connected yet: connections are opened per thread (``connection_context``) by
    whoever uses the database.
    """
    target = parse_database_url(url)
    db: Database
    if target.is_sqlite:
        assert target.path is not None
        touch_private_file(target.path)
        # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two writers queue on
        # busy_timeout instead of one failing with "database is locked" on lock upgrade.
        db = _SqliteStore(
            str(target.path), pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE"
        )
    else:
        from playhouse.pool import PooledPostgresqlDatabase

        dsn = dict(target.dsn or {})
        name = str(dsn.pop("database"))
        db = PooledPostgresqlDatabase(name, max_connections=16, stale_timeout=300, **dsn)
    database_proxy.initialize(db)
    return db


def current_database() -> Database:
    """The database the models are bound to (after :func:`open_database`)."""
    db = database_proxy.obj
    if db is None:
        raise RuntimeError("open_database() has not been called")
    return db


def is_postgres(db: Database | None = None) -> bool:
    from peewee import PostgresqlDatabase

    return isinstance(db or current_database(), PostgresqlDatabase)


def utcnow() -> dt.datetime:
    """Timezone-aware now, in UTC: every timestamp isdesk writes comes from here."""
    return dt.datetime.now(dt.UTC)


class UtcDateTimeField(DateTimeField):
    """Stores an aware datetime as naive UTC and reads it back as aware UTC.

    Both backends then compare and sort timestamps the same way, whatever the server's zone.
    """

    def db_value(self, value: object) -> object:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return super().db_value(value)

    # Any, as peewee's own converters: the caller knows the column (an aware datetime, or None
    # where the column allows NULL); ``object`` would make every caller cast it back.
    def python_value(self, value: object) -> Any:
        value = super().python_value(value)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False
