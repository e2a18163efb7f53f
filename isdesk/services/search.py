"""The queue filter's text condition, served by the bigram index instead of a scan.

The index (migration 0012) holds every two-character substring of each lead's
``search_text``, kept by triggers in the writing transaction. A key of two or more characters
is found through it; the same ``LIKE`` as before then decides, so the results are exactly the
scan's. A one-character key, or one matching so many leads that reading them by id would cost
more than the scan, scans as before.

- SQLite: ``lead_gram`` is FTS5 over each lead's bigrams in order, so the phrase of the key's
  bigrams is exactly the leads containing the key (中央物産 → 中央 央物 物産 in a row); it
  drives when it matches at most DRIVE_MAX leads.
- PostgreSQL: ``lead_gram (gram, lead_id)``; the leads holding the key's rarest bigram (or both
  of its two rarest) drive, after counting each bigram's postings up to a cap.

Why bigrams kept by isdesk rather than FTS5's trigram tokenizer or pg_trgm: both need three
characters (中央, 物産, two digits would scan), and pg_trgm splits words by the server's
locale, which may not count kanji as word characters. Why FTS5 on SQLite rather than a
(gram, lead_id) B-tree there too: FTS5 writes a transaction's postings sorted, once, so an
import chunk costs far less than ~50 inserts per lead at random places in a large B-tree; and
its phrase query intersects the bigrams itself. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SQL, NodeList, Table, fn

from isdesk.domain.text import bigrams
from isdesk.store.db import current_database, is_postgres
from isdesk.store.models import Lead

LeadGram = Table("lead_gram")  # PostgreSQL's; SQLite's is FTS5
LONG_TOKEN = "LONG"  # migration 0012: a text longer than its trigger indexes

# Postings are counted up to PROBE_CAP (≈ 40 ns an entry on SQLite). A bigram with at most
# DRIVE_MAX postings drives the query: its leads are read by id and checked with LIKE. Above
# that, when the key has two or more bigrams, the leads holding both of the two rarest are
# found by walking the rarer's postings (≈ 2 µs an entry), up to INTERSECT_MAX. Otherwise the
# scope is scanned as before: such a filter matches a large share of the leads anyway.
# (Measured at 100,000 leads: docs/benchmarks.md.)
PROBE_CAP = 20_000
DRIVE_MAX = 6_000
INTERSECT_MAX = 12_000


@dataclass(frozen=True)
class TextFilter:
    """The WHERE condition for the filter text, and whether it is meant to drive the query
    (SQLite's planner is then told not to start from another index: ``NOT INDEXED``)."""

    condition: object
    indexed: bool
    plan: str = "scan"  # how, in words (for benchmarks)


def escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def like_condition(key: str):
    """``search_text LIKE '%key%'``, the filter's meaning (and today's whole plan)."""
    pattern = f"%{escape_like(key)}%"
    return NodeList((Lead.search_text, SQL("LIKE"), pattern, SQL("ESCAPE '!'")))


def gram_counts(key: str, cap: int = PROBE_CAP) -> list[tuple[str, int]]:
    """Each distinct bigram of ``key`` with its number of postings (counting stops at
    ``cap``), rarest first. One round trip.

    In team mode the counts go through lead_gram's row-level policy: only the bigrams of leads
    the caller may read are counted, so the plan chosen reveals nothing about other leads.
    """
    grams = bigrams(key)
    if not grams:
        return []
    db = current_database()
    p = db.param
    values = " UNION ALL ".join(f"SELECT {p} AS g, {i} AS o" for i in range(len(grams)))
    sql = (
        'SELECT q.g, (SELECT COUNT(*) FROM (SELECT 1 FROM "lead_gram" '
        f'WHERE "gram" = q.g LIMIT {int(cap)}) AS c) AS n FROM ({values}) AS q ORDER BY n, q.o'
    )
    with db.connection_context():
        return [(str(g), int(n)) for g, n in db.execute_sql(sql, grams).fetchall()]


def text_filter(key: str, *, use_index: bool = True) -> TextFilter:
    """How to find the leads whose search text contains ``key`` (a search_key)."""
    like = like_condition(key)
    if not use_index or len(key) < 2:
        return TextFilter(like, False, "scan" if use_index is False else "scan (1 character)")
    if not is_postgres():
        return _sqlite_filter(key, like)
    counts = gram_counts(key)
    (rare, n_rare), *rest = counts
    # The empty gram marks texts longer than the trigger indexes (see migration 0012).
    if n_rare <= DRIVE_MAX:
        postings = LeadGram.select(LeadGram.c.lead_id).where(LeadGram.c.gram.in_([rare, ""]))
        plan = f"rarest bigram ({n_rare:,} postings)"
        return TextFilter(Lead.id.in_(postings) & like, True, plan)
    if rest and n_rare <= INTERSECT_MAX:
        other = rest[0][0]
        first, second = LeadGram.alias("g1"), LeadGram.alias("g2")
        both = first.select(first.c.lead_id).where(
            (first.c.gram == rare)
            & fn.EXISTS(
                second.select(SQL("1")).where(
                    (second.c.gram == other) & (second.c.lead_id == first.c.lead_id)
                )
            )
        )
        long = LeadGram.select(LeadGram.c.lead_id).where(LeadGram.c.gram == "")
        plan = f"two rarest bigrams ({n_rare:,} + {rest[0][1]:,} postings)"
        return TextFilter((Lead.id.in_(both) | Lead.id.in_(long)) & like, True, plan)
    return TextFilter(like, False, "scan (every bigram common)")


def fts_phrase(key: str) -> str:
    """The FTS5 query for ``key`` on SQLite's lead_gram: the phrase of its bigrams (as the
    migration's trigger writes them: hex of the UTF-8 bytes), or a text too long to index."""
    grams = " ".join(key[i : i + 2].encode("utf-8").hex().upper() for i in range(len(key) - 1))
    return f'"{grams}" OR {LONG_TOKEN}'


def _sqlite_filter(key: str, like) -> TextFilter:
    """SQLite: FTS5 answers the phrase itself (exactly the leads containing ``key``); it drives
    when it matches at most DRIVE_MAX leads, counted with a LIMIT so a common phrase stops
    early and scans instead."""
    db = current_database()
    phrase = fts_phrase(key)
    with db.connection_context():
        n = db.execute_sql(
            'SELECT COUNT(*) FROM (SELECT rowid FROM "lead_gram" WHERE "lead_gram" MATCH ? '
            f"LIMIT {DRIVE_MAX + 1})",
            (phrase,),
        ).fetchone()[0]
    if n > DRIVE_MAX:
        return TextFilter(like, False, f"scan (the phrase matches over {DRIVE_MAX:,} leads)")
    matches = SQL('(SELECT rowid FROM "lead_gram" WHERE "lead_gram" MATCH ?)', [phrase])
    return TextFilter(Lead.id.in_(matches) & like, True, f"FTS5 phrase ({n:,} leads)")
