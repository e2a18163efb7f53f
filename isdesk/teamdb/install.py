"""Setting a database up for team mode (``isdesk teamdb setup``): roles, migrations, policies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from isdesk.teamdb.connect import _as_role, _connect, _dsn, _one, _tables, _verifier, execute
from isdesk.teamdb.policies import policy_statements
from isdesk.teamdb.sql import (
    OWNER_ROLE,
    RLS_TABLES,
    TABLE_PRIVILEGES,
    Statement,
    TeamDbError,
    database_statements,
    function_statements,
    ident,
    isdesk_tables,
    ownership_statements,
    privilege_statements,
    role_statements,
    trigger_statements,
)

# Serialises concurrent `teamdb setup` runs (policies are dropped and recreated).
_SETUP_LOCK = 0x15DE5D


@dataclass(frozen=True)
class SetupReport:
    database: str
    schema: str
    migrations: tuple[str, ...]  # applied by this run
    protected: tuple[str, ...]  # tables with row-level security
    unknown: tuple[str, ...] = ()  # tables in the schema isdesk gave no grants on


def setup(url: str, *, owner_password: str | None = None) -> SetupReport:
    """Create the roles, migrate as the owner, then grant and protect every isdesk table.

    ``url`` is an administrator's: a superuser, or the database owner with CREATEROLE.
    Idempotent: run it again after installing a newer isdesk.
    """
    from peewee import PostgresqlDatabase

    from isdesk.store.schema import upgrade

    dsn = _dsn(url)
    known = isdesk_tables()
    with _connect(dsn, autocommit=True) as admin:
        database, schema, superuser = _one(  # type: ignore[misc]  # a SELECT without FROM: one row
            admin,
            "SELECT current_database(), current_schema(), "
            "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)",
        )
        if schema is None:
            raise TeamDbError("no schema to create isdesk's tables in (check search_path)")
        execute(admin, role_statements())
        if owner_password:
            verifier = _verifier(admin, OWNER_ROLE, owner_password)
            execute(admin, [Statement(f"ALTER ROLE {ident(OWNER_ROLE)} PASSWORD %s", (verifier,))])
        if not superuser:
            execute(admin, [Statement(f"GRANT {ident(OWNER_ROLE)} TO CURRENT_USER")])
        execute(admin, database_statements(database, schema))
        execute(admin, ownership_statements(schema, known))
    owner_dsn = _as_role(dsn, OWNER_ROLE)
    params: dict[str, Any] = dict(owner_dsn)
    db = PostgresqlDatabase(str(params.pop("database")), **params)
    try:
        applied = tuple(upgrade(db))
    finally:
        db.close()
    with _connect(owner_dsn, autocommit=False) as owner:
        execute(owner, [Statement("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))])
        present = _tables(owner, schema)
        execute(owner, function_statements(schema))
        execute(owner, privilege_statements(schema, present))
        execute(owner, trigger_statements(schema, present))
        execute(owner, policy_statements(schema, present))
    return SetupReport(
        database=database,
        schema=schema,
        migrations=applied,
        protected=tuple(t for t in RLS_TABLES if t in present),
        unknown=tuple(t for t in present if t not in TABLE_PRIVILEGES),
    )
