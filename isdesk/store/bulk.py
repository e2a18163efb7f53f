"""Bulk inserts with explicit ids: the SQL peewee would generate, run by the DB-API driver.

peewee's ``insert_many`` is ~9x slower at an import's or the demo's volume
(docs/design-figures.md); ``executemany`` (SQLite) and ``execute_values`` (PostgreSQL) are not.
Lead rows also get the queue filter's bigrams in bulk on SQLite (isdesk.store.grams).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peewee import Database, Model

from isdesk.store.db import is_postgres
from isdesk.store.grams import insert_leads


def insert_rows(
    db: Database, model: type[Model], rows: Sequence[tuple[Any, ...]], page_size: int = 1000
) -> None:
    """Insert ``rows``, tuples of the model's first columns in order (later columns take
    their defaults: columns a migration added come last, so rows built before it still fit)."""
    if not rows:
        return
    meta = model._meta
    fields = meta.sorted_fields[: len(rows[0])]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    table = f'"{meta.table_name}"'
    cursor = db.cursor()
    if is_postgres(db):
        from psycopg2.extras import execute_values

        sql = f"INSERT INTO {table} ({columns}) VALUES %s"
        execute_values(cursor, sql, rows, page_size=page_size)
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join([db.param] * len(fields))})"
    search_at = [f.name for f in fields].index("search_text") if meta.table_name == "lead" else -1
    for i in range(0, len(rows), page_size):
        page = rows[i : i + page_size]
        if search_at >= 0:
            insert_leads(db, sql, page, search_at)
        else:
            cursor.executemany(sql, page)
