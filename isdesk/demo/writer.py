"""The demo's bulk writer: rows as tuples with explicit ids, inserted by the driver.

Speed: rows are built as tuples with ids assigned by the simulation, and written with the
SQL peewee would generate through ``cursor.executemany`` (SQLite) or ``execute_values``
(PostgreSQL); see docs/design-figures.md, peewee's ``insert_many`` is ~9x slower.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peewee import Model

from isdesk.store.db import current_database, is_postgres
from isdesk.store.grams import insert_leads
from isdesk.store.models import ALL_MODELS
from isdesk.store.pipeline import Handoff

ROWS_PER_BATCH = 5_000
# Every table the demo checks is empty, writes and moves the id sequence of: ALL_MODELS and
# the hand-off table, which lives in isdesk.store.pipeline.
DEMO_MODELS: tuple[type[Model], ...] = (*ALL_MODELS, Handoff)


class Writer:
    """Bulk inserts with explicit ids, the SQL peewee would generate, run by the driver."""

    def __init__(self) -> None:
        db = current_database()
        self.db = db
        self.pg = is_postgres(db)
        self.written: dict[str, int] = {m._meta.table_name: 0 for m in DEMO_MODELS}

    def _sql(self, model: type[Model], width: int) -> str:
        """The INSERT of the model's first ``width`` columns (later ones take their defaults:
        columns added by a migration come last, so rows built before it still fit)."""
        fields = model._meta.sorted_fields[:width]
        cols = ", ".join(f'"{f.column_name}"' for f in fields)
        table = f'"{model._meta.table_name}"'
        if self.pg:
            return f"INSERT INTO {table} ({cols}) VALUES %s"
        marks = ", ".join([self.db.param] * len(fields))
        return f"INSERT INTO {table} ({cols}) VALUES ({marks})"

    def write(self, model: type[Model], rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        sql = self._sql(model, len(rows[0]))
        cursor = self.db.cursor()
        if self.pg:
            from psycopg2.extras import execute_values

            execute_values(cursor, sql, rows, page_size=ROWS_PER_BATCH)
        elif model._meta.table_name == "lead":  # the filter's bigrams, written in bulk too
            fields = [f.name for f in model._meta.sorted_fields[: len(rows[0])]]
            for i in range(0, len(rows), ROWS_PER_BATCH):
                insert_leads(
                    self.db, sql, rows[i : i + ROWS_PER_BATCH], fields.index("search_text")
                )
        else:
            for i in range(0, len(rows), ROWS_PER_BATCH):
                cursor.executemany(sql, rows[i : i + ROWS_PER_BATCH])
        self.written[model._meta.table_name] += len(rows)

    def reset_sequences(self) -> None:
        """PostgreSQL: ids were given explicitly, so move each serial on past them."""
        if not self.pg:
            return
        for model in DEMO_MODELS:
            table = model._meta.table_name
            self.db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"'
            )

    def counts(self) -> dict[str, int]:
        w = self.written
        return {
            "operators": w["operator"],
            "campaigns": w["campaign"],
            "leads": w["lead"],
            "answers": w["answer"],
            "events": w["lead_event"],
            "activities": w["activity"],
            "handoffs": w["handoff"],
        }
