"""Connecting to the team database as an administrator or the owner, and running statements."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from isdesk.teamdb.sql import Statement, TeamDbError

if TYPE_CHECKING:  # psycopg2 loads when a command connects
    from psycopg2.extensions import connection


def _dsn(url: str) -> dict[str, object]:
    from isdesk.store.db import parse_database_url

    target = parse_database_url(url)
    if target.is_sqlite:
        raise TeamDbError(
            "team mode needs PostgreSQL: give --db postgresql://ADMIN@HOST:5432/DBNAME "
            "(an administrator who may create roles)"
        )
    return dict(target.dsn or {})


def _as_role(dsn: dict[str, object], role: str) -> dict[str, object]:
    out = dict(dsn)
    out["options"] = f"{out.get('options', '')} -c role={role}".strip()
    return out


@contextlib.contextmanager
def _connect(dsn: dict[str, object], *, autocommit: bool) -> Iterator[connection]:
    import psycopg2

    params: dict[str, Any] = dict(dsn)  # psycopg2's keywords: host, port, user, …
    params["dbname"] = params.pop("database")
    try:
        conn = psycopg2.connect(**params)
    except psycopg2.OperationalError as error:
        raise TeamDbError(f"cannot connect to {params['dbname']}: {error}".strip()) from None
    conn.autocommit = autocommit
    try:
        yield conn
        if not autocommit:
            conn.commit()
    except BaseException:
        if not autocommit:
            conn.rollback()
        raise
    finally:
        conn.close()


def execute(conn: connection, statements: Sequence[Statement]) -> None:
    """Run ``statements`` in order on a psycopg2 connection."""
    import psycopg2

    with conn.cursor() as cur:
        for st in statements:
            try:
                cur.execute(st.sql, st.params)
            except psycopg2.errors.InsufficientPrivilege as error:
                raise TeamDbError(
                    f"not allowed: {error.pgerror.strip() if error.pgerror else error} — "
                    "run `isdesk teamdb` with an administrator's --db (a superuser, or the "
                    "database owner with CREATEROLE)"
                ) from None


def _one(conn: connection, sql: str, params: tuple[object, ...] = ()) -> tuple[Any, ...] | None:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def _tables(conn: connection, schema: str) -> list[str]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s ORDER BY 1",
            (schema,),
        )
        return [r[0] for r in cur.fetchall()]


def _verifier(conn: connection, login: str, password: str) -> str:
    from psycopg2.extensions import encrypt_password

    # scope=conn: the server's password_encryption decides (scram-sha-256 by default).
    return encrypt_password(password, login, scope=conn)


def _role_exists(conn: connection, name: str) -> bool:
    return _one(conn, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", (name,)) is not None
