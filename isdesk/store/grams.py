"""The queue filter's bigram tokens, computed in Python for bulk writers (SQLite).

Migration 0012's insert trigger computes each new lead's FTS5 tokens in SQL, one row at a
time: at an import's or the demo's volume that is most of the write (9.8× a plain insert,
docs/benchmarks.md). Bulk writers instead set the ``lead_gram_bulk`` flag inside their
transaction (migration 0014: the trigger then stands aside), insert the leads, and write the
very tokens the trigger would have written. Other writers never see the flag: it is set and
cleared inside one write transaction, and SQLite has one writer at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peewee import Database

# As migration 0012 defined them (the trigger's SQL has them baked in).
MAX_POSITIONS = 2048
LONG_TOKEN = "LONG"


def gram_tokens(search_text: str) -> str:
    """Exactly what migration 0012's trigger writes: each bigram's UTF-8 bytes in upper-case
    hex (SQLite's ``hex(substr(text, i, 2))``), space-separated, for positions 1 to
    MAX_POSITIONS, and `` LONG`` after a longer text."""
    text = search_text or ""
    grams = " ".join(
        text[i : i + 2].encode("utf-8").hex().upper()
        for i in range(min(len(text) - 1, MAX_POSITIONS))
    )
    return grams + (f" {LONG_TOKEN}" if len(text) > MAX_POSITIONS else "")


def insert_leads(
    db: Database, insert_sql: str, rows: Sequence[tuple[Any, ...]], search_at: int
) -> None:
    """SQLite: ``insert_sql`` over ``rows`` (each with its explicit id first and its
    ``search_text`` at ``search_at``), their bigram tokens written in the same transaction."""
    with db.atomic():
        cursor = db.cursor()
        cursor.execute('INSERT INTO "lead_gram_bulk" DEFAULT VALUES')
        cursor.executemany(insert_sql, rows)
        cursor.executemany(
            'INSERT INTO "lead_gram" (rowid, grams) VALUES (?, ?)',
            [(row[0], gram_tokens(row[search_at])) for row in rows],
        )
        cursor.execute('DELETE FROM "lead_gram_bulk"')
