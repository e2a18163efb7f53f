"""Bulk writers (import, demo) index their leads' bigrams in Python, on SQLite: the tokens must
be exactly the ones the insert trigger writes, or the filter would miss or invent leads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from isdesk.store.db import open_database
from isdesk.store.grams import MAX_POSITIONS, gram_tokens, insert_leads
from isdesk.store.models import Lead
from isdesk.store.schema import upgrade

TEXT = st.text(alphabet=st.sampled_from(list("中央物産株式会社カブｶﾌﾞ田0123-@.ab😀 |")), max_size=40)


def _instances(conn: sqlite3.Connection, rowid: int) -> list[tuple[str, int]]:
    """Each token of the lead's index row with its position (fts5vocab 'instance')."""
    rows = conn.execute(
        "SELECT term, offset FROM v WHERE doc = ? ORDER BY offset", (rowid,)
    ).fetchall()
    return [(term, offset) for term, offset in rows]


def _database(tmp: Path):
    db = open_database(f"sqlite:///{tmp / 'grams.sqlite3'}")
    upgrade(db)
    return db


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TEXT, min_size=1, max_size=6))
@example(texts=["x" * (MAX_POSITIONS + 5)])  # over-long: the LONG token
@example(texts=["", "a", "中央"])
def test_bulk_tokens_are_the_triggers_tokens(tmp_path_factory, texts: list[str]) -> None:
    tmp = tmp_path_factory.mktemp("grams")
    db = _database(tmp)
    with db.connection_context():
        for i, text in enumerate(texts, start=1):  # one by one: the trigger indexes them
            Lead.create(id=i, company="c", acquired_at="2026-01-01", search_text=text)
        fields = Lead._meta.sorted_fields
        names = ", ".join(f'"{f.column_name}"' for f in fields)
        sql = f'INSERT INTO "lead" ({names}) VALUES ({", ".join("?" * len(fields))})'
        base = len(texts)
        rows = []
        for i, text in enumerate(texts, start=base + 1):
            values = {"id": i, "company": "c", "acquired_at": "2026-01-01", "search_text": text}
            row = []
            for field in fields:
                default = field.default() if callable(field.default) else field.default
                row.append(field.db_value(values.get(field.name, default)))
            rows.append(tuple(row))
        search_at = [f.name for f in fields].index("search_text")
        insert_leads(db, sql, rows, search_at)  # in bulk: Python writes the tokens
    db.close()
    conn = sqlite3.connect(tmp / "grams.sqlite3")
    conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, lead_gram, 'instance')")
    for i, text in enumerate(texts, start=1):
        assert _instances(conn, base + i) == _instances(conn, i), text
    # The flag is down again: the next single insert is the trigger's.
    assert conn.execute('SELECT count(*) FROM "lead_gram_bulk"').fetchone() == (0,)
    conn.close()


def test_the_tokens_spelled_out() -> None:
    assert gram_tokens("中央") == "中央".encode().hex().upper()
    assert gram_tokens("abc") == "6162 6263"
    assert gram_tokens("a") == "" and gram_tokens("") == ""
    assert gram_tokens("y" * (MAX_POSITIONS + 1)).endswith(" LONG")
    assert gram_tokens("y" * (MAX_POSITIONS + 1)).count(" ") == MAX_POSITIONS
