"""Schema versions: numbered migrations in isdesk/migrations, applied forward on start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from peewee import Database

from isdesk.store.db import is_postgres

if TYPE_CHECKING:
    from playhouse.migrations import Migration

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Any constant will do: it names isdesk's upgrade lock among the server's advisory locks.
_PG_UPGRADE_LOCK = 0x15DE5C
HISTORY_TABLE = "schema_migration"  # playhouse.migrations.Runner's default


class SchemaTooNewError(RuntimeError):
    """The database was upgraded by a newer isdesk than this one."""


def known_migrations() -> list[Migration]:
    from playhouse.migrations import Migration

    return Migration.load_directory(str(MIGRATIONS_DIR))


def _known_names() -> set[str]:
    """The names of :func:`known_migrations` (what ``Migration.load_directory`` makes of
    ``[0-9]*.py``), read without importing playhouse.migrations: it brings playhouse.migrate
    and with it the PostgreSQL driver, about 30 ms of every start, while a start migrates
    rarely."""
    return {path.stem for path in MIGRATIONS_DIR.glob("[0-9]*.py")}


def upgrade(db: Database) -> list[str]:
    """Apply every pending migration, once, and return the names applied.

    The whole upgrade is one transaction that first takes a lock (SQLite: BEGIN IMMEDIATE;
    PostgreSQL: an advisory lock), so when a whole team starts at once one process upgrades
    and the others wait, then find nothing left to do. Nothing is ever dropped: a database
    newer than this program refuses to start instead.
    """
    if _up_to_date(db):
        return []  # the common start: one cheap read, no lock, no migration files loaded
    from playhouse.migrations import Runner

    runner = Runner(db, str(MIGRATIONS_DIR))
    with db.connection_context(), db.atomic():
        if is_postgres(db):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_UPGRADE_LOCK,))
        unknown = sorted(set(runner.applied()) - {m.name for m in known_migrations()})
        if unknown:
            raise SchemaTooNewError(
                "this database was upgraded by a newer isdesk (it has "
                + ", ".join(unknown)
                + "); install that version instead of this one"
            )
        return runner.up()


def _up_to_date(db: Database) -> bool:
    names = _known_names()
    with db.connection_context():
        if not db.table_exists(HISTORY_TABLE):
            return False
        cursor = db.execute_sql(f'SELECT name FROM "{HISTORY_TABLE}"')
        return {row[0] for row in cursor} == names


def schema_version(db: Database) -> int:
    """The number of the last migration applied (0 for an empty database)."""
    from playhouse.migrations import Runner

    runner = Runner(db, str(MIGRATIONS_DIR))
    with db.connection_context():
        applied = runner.applied()
    return max((m.idx for m in known_migrations() if m.name in applied), default=0)
