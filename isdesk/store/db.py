"""One database proxy, initialised from a URL: embedded SQLite or a team's PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
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

try:
    import fcntl
except ImportError:  # Windows: no flock; SQLite's own busy handler queues the writers there
    fcntl = None  # type: ignore[assignment]

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
    """SQLite, with isdesk's writers queued in the kernel, and keeping the real error when
    SQLite has already rolled back by itself.

    On a full disk (SQLITE_FULL) or an I/O error SQLite ends the transaction itself; the
    ROLLBACK peewee sends next would then fail with "no transaction is active" and hide the
    error the user needs to see.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer = threading.local()  # .fd: this thread's held writer lock, if any

    def rollback(self) -> None:
        try:
            if not self.is_closed() and not self.connection().in_transaction:
                return
            super().rollback()
        finally:
            self._release_writer_lock()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            # A failed COMMIT leaves the transaction open: peewee rolls it back next, and the
            # next writer's BEGIN IMMEDIATE waits for that in SQLite's own busy handler.
            self._release_writer_lock()

    def begin(self, lock_type: str | None = None) -> None:
        """BEGIN IMMEDIATE, after queueing for the write lock with the other isdesk writers.

        SQLite has no queue: a writer that finds the lock taken sleeps and asks again, and
        under many writers the hand-off is unfair (SQLite's busy handler backs off to 100 ms
        sleeps and lets one process starve for seconds; polling every millisecond instead
        burns the CPU the lock holder needs: the 20-operator load on 2 cores, p99 ≈ 1.7 s).
        So every isdesk write transaction first takes an exclusive ``flock`` on
        ``<database>-isdesk-lock``: waiters sleep in the kernel, which wakes them when the
        holder commits. It is released at COMMIT or ROLLBACK, and by the kernel if the process
        dies. Gives up after :data:`BUSY_TIMEOUT_S` with SQLite's "database is locked"; another
        program's writer (sqlite3, a backup) is still waited for by SQLite's busy_timeout.
        """
        lock_type = lock_type or getattr(self, "_lock_type", None)
        statement = f"BEGIN {lock_type}" if lock_type else "BEGIN"
        if lock_type in ("IMMEDIATE", "EXCLUSIVE"):
            fd = _writer_lock(self.database + "-isdesk-lock", BUSY_TIMEOUT_S)
            if fd == _TIMED_OUT:
                raise OperationalError("database is locked")
            self._writer.fd = fd
        try:
            self.cursor().execute(statement)
        except sqlite3.OperationalError as error:
            self._release_writer_lock()
            raise OperationalError(*error.args) from error
        except BaseException:
            self._release_writer_lock()
            raise

    def _release_writer_lock(self) -> None:
        fd = getattr(self._writer, "fd", None)
        if fd is not None:
            self._writer.fd = None
            os.close(fd)  # closing the descriptor releases its flock


_TIMED_OUT = -2


def _writer_lock(path: str, timeout: float) -> int | None:
    """An exclusive flock on ``path`` (created 0600): its descriptor, None when the file
    cannot be opened (a read-only folder: SQLite's own locking still applies), or
    :data:`_TIMED_OUT` after ``timeout`` seconds of waiting.

    flock has no timeout, so a contended wait blocks in a helper thread while this one waits
    for it with one; a wait given up on releases the lock as soon as the kernel grants it.
    """
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        pass
    except OSError:  # a file system without flock
        os.close(fd)
        return None
    granted = threading.Event()
    guard = threading.Lock()
    abandoned = False

    def wait() -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with guard:
            if abandoned:
                os.close(fd)
            else:
                granted.set()

    threading.Thread(target=wait, name="isdesk-writer-lock", daemon=True).start()
    if granted.wait(timeout):
        return fd
    with guard:
        if granted.is_set():
            return fd
        abandoned = True
    return _TIMED_OUT


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
