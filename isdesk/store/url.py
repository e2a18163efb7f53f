"""Database URLs: ``sqlite:///PATH`` or ``postgresql://USER@HOST:PORT/DBNAME``, parsed without
loading peewee or a driver, so a command knows which backend it opens before either is imported
(:func:`isdesk.cli.common.open_store` spares a SQLite command the PostgreSQL driver)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse


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
