"""One database proxy, initialised from a URL: embedded SQLite or a team's PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import time
from typing import Any

from peewee import (
    Database,
    DatabaseProxy,
    DateTimeField,
    Model,
    OperationalError,
    SqliteDatabase,
)

from isdesk.config.locations import touch_private_file

# Re-exported: the URL's parsing lives apart so that the CLI can read a URL before peewee loads.
from isdesk.store.url import DatabaseTarget as DatabaseTarget
from isdesk.store.url import DatabaseUrlError as DatabaseUrlError
from isdesk.store.url import parse_database_url as parse_database_url

database_proxy = DatabaseProxy()

# WAL lets readers (the queue) run while a writer saves; busy_timeout >= 5 s because SQLite's
# lock hand-off is unfair under contention (docs/design-figures.md).
BUSY_TIMEOUT_S = 5.0
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,  # BUSY_TIMEOUT_S
    "synchronous": "normal",
}


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

    def begin(self, lock_type: str | None = None) -> None:
        """BEGIN IMMEDIATE, waiting for the write lock by polling every millisecond or so.

        SQLite's own busy handler backs off to 100 ms sleeps, so under many writers a waiting
        process sleeps through several hand-offs and one of them can starve for seconds (the
        20-operator load: p99 ≈ 2 s). Polling with short, jittered sleeps asks again soon after
        every release. Nothing has run in the transaction yet, so retrying is safe. Gives up
        after the same 5 s as busy_timeout, with SQLite's "database is locked".
        """
        lock_type = lock_type or getattr(self, "_lock_type", None)
        statement = f"BEGIN {lock_type}" if lock_type else "BEGIN"
        cursor = self.cursor()
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        cursor.execute("PRAGMA busy_timeout = 0")  # BUSY at once, and this loop waits
        try:
            while True:
                try:
                    cursor.execute(statement)
                    return
                except sqlite3.OperationalError as error:
                    if not _is_busy(error) or time.monotonic() > deadline:
                        raise OperationalError(*error.args) from error
                time.sleep(random.uniform(0.0002, 0.0015))
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


# A pooled PostgreSQL connection handed back less than this long ago is trusted to be alive
# (see _PostgresPool); an older one is checked with a round trip first.
TRUSTED_RETURN_S = 5.0


def _postgres_pool():
    from playhouse.pool import PooledPostgresqlDatabase

    class _PostgresPool(PooledPostgresqlDatabase):
        """peewee's pool checks every connection it hands out with ``SELECT 1``: one round trip
        more for each take-next, each queue page, each save. A connection that went back to the
        pool idle a moment ago is handed out without it; a lost one fails on its first statement
        (the app's retry reconnects) and is then discarded on its return, as before."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._returned: dict[int, float] = {}

        def _is_closed(self, conn) -> bool:
            if conn.closed:
                return True
            returned = self._returned.get(self.conn_key(conn))
            idle = self._adapter.txn_status(conn) == self._adapter.txn_idle
            if idle and returned is not None and time.monotonic() - returned < TRUSTED_RETURN_S:
                return False
            return super()._is_closed(conn)

        def _close(self, conn, close_conn=False) -> None:
            key = self.conn_key(conn)
            if close_conn:
                self._returned.pop(key, None)
            else:
                self._returned[key] = time.monotonic()
            super()._close(conn, close_conn)

    return _PostgresPool


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
        _require_psycopg2()
        dsn = dict(target.dsn or {})
        name = str(dsn.pop("database"))
        db = _postgres_pool()(name, max_connections=16, stale_timeout=300, **dsn)
    database_proxy.initialize(db)
    return db


def _require_psycopg2() -> None:
    import importlib.util

    import peewee

    loaded = getattr(peewee, "psycopg2", None)  # peewee's module global: None without it
    if loaded is None and importlib.util.find_spec("psycopg2") is not None:
        raise RuntimeError(
            "peewee was loaded without psycopg2 for a SQLite database "
            "(isdesk.cli.common._load_peewee_without_psycopg2): open PostgreSQL in a new process"
        )


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
