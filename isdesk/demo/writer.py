"""The demo's bulk writer: rows as tuples with ids assigned by the simulation, inserted by
the driver (isdesk.store.bulk: peewee's ``insert_many`` is ~9x slower)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peewee import Model

from isdesk.store.bulk import insert_rows
from isdesk.store.db import current_database, is_postgres
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

    def write(self, model: type[Model], rows: Sequence[tuple[Any, ...]]) -> None:
        insert_rows(self.db, model, rows, page_size=ROWS_PER_BATCH)
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
