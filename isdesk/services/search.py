"""The queue filter's text condition, served by the bigram index instead of a scan.

``lead_gram`` (migration 0012) holds every distinct two-character substring of each lead's
``search_text``, kept by triggers in the writing transaction. A filter key of two or more
characters is contained in a lead's text only if each of the key's bigrams is, so the leads
holding *one* of them — the rarest, found by counting each bigram's postings up to a cap — are a
superset of the answer; the same ``LIKE`` as before then decides, so the results are exactly
the scan's. A one-character key, or one whose every bigram is common, scans as before: reading
most of the index would cost more than reading the leads.

Why bigrams kept by isdesk rather than SQLite FTS5's trigram tokenizer or PostgreSQL's pg_trgm:
both need three characters (中央, 物産 and ２桁 digits would scan), pg_trgm splits words by the
server's locale, and one design on both databases is one behaviour to test. Measured in
bench/bench_queue.py; the figures and the trade-off (index size, import cost) in
docs/benchmarks.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SQL, NodeList, Table, fn

from isdesk.domain.text import bigrams
from isdesk.store.db import current_database
from isdesk.store.models import Lead

LeadGram = Table("lead_gram", ("gram", "lead_id"))

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
    counts = gram_counts(key) if use_index else []
    if not counts:
        return TextFilter(like, False)
    (rare, n_rare), *rest = counts
    # The empty gram marks texts longer than the trigger indexes (see migration 0012).
    if n_rare <= DRIVE_MAX:
        postings = LeadGram.select(LeadGram.lead_id).where(LeadGram.gram.in_([rare, ""]))
        return TextFilter(Lead.id.in_(postings) & like, True)
    if rest and n_rare <= INTERSECT_MAX:
        other = rest[0][0]
        first, second = LeadGram.alias("g1"), LeadGram.alias("g2")
        both = first.select(first.lead_id).where(
            (first.gram == rare)
            & fn.EXISTS(
                second.select(SQL("1")).where(
                    (second.gram == other) & (second.lead_id == first.lead_id)
                )
            )
        )
        long = LeadGram.select(LeadGram.lead_id).where(LeadGram.gram == "")
        return TextFilter((Lead.id.in_(both) | Lead.id.in_(long)) & like, True)
    return TextFilter(like, False)
