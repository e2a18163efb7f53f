"""The work queue: an operator's leads in the order to work them, a page at a time.

Open leads, and nurturing ones whose follow-up is due.

Order (what to do now): overdue follow-ups first (oldest first), then new leads never
touched, in arrival order, then the rest by their next action. Pages come straight from the
database so 100,000 leads cost the same as 100.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from peewee import JOIN, SQL, Case, NodeList, fn

from isdesk.domain.text import search_key
from isdesk.services.operators import Actor
from isdesk.services.search import text_filter
from isdesk.store.db import current_database, is_postgres, utcnow
from isdesk.store.models import Lead, Operator

PAGE_SIZE = 100


class QueueScope(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    TEAM = "team"  # a team lead's view of their team's leads


@dataclass(frozen=True)
class QueueQuery:
    """What the queue shows: whose leads, matching which filter text, judged at ``now``."""

    actor: Actor
    scope: QueueScope = QueueScope.MINE
    text: str = ""
    now: dt.datetime | None = None
    callable_only: bool = False  # leave do-not-call leads out (take next, `n`)


@dataclass(frozen=True)
class QueueRow:
    id: int
    company: str
    contact: str
    rank: str
    is_sql: bool
    heard: int
    source: str
    owner: str
    acquired_at: dt.datetime
    last_touch_at: dt.datetime | None
    next_action_at: dt.datetime | None
    next_action: str
    overdue: bool
    new: bool
    do_not_call: bool = False


def _where(query: QueueQuery, use_index: bool = True) -> tuple[object, bool]:
    """The WHERE condition, and whether the filter text's index drives the query."""
    actor = query.actor
    now = query.now or utcnow()
    # Nurturing leads (field sales said "not now") come back once their follow-up is due.
    cond = (Lead.status == "open") | ((Lead.status == "nurturing") & (Lead.next_action_at <= now))
    if query.scope is QueueScope.MINE:
        cond &= Lead.owner == actor.id
    elif query.scope is QueueScope.UNASSIGNED:
        cond &= Lead.owner.is_null()
    else:
        # Only a team lead reads the whole team's queue; anyone else falls back to their own.
        if actor.is_lead:
            team_ids = Operator.select(Operator.id).where(Operator.team == actor.team)
            cond &= Lead.owner.in_(team_ids)
        else:
            cond &= Lead.owner == actor.id
    if query.callable_only:
        cond &= ~Lead.do_not_call
    key = search_key(query.text)
    if not key:
        return cond, False
    # Two or more characters are looked up in the bigram index (isdesk.services.search).
    text = text_filter(key, use_index=use_index)
    return cond & text.condition, text.indexed


def _leads(*columns, query: QueueQuery, use_index: bool):
    """``SELECT columns FROM lead WHERE …``: when the filter's postings drive, SQLite is told
    to read the leads by id from them rather than start from the owner or status index."""
    cond, indexed = _where(query, use_index)
    select = Lead.select(*columns)
    if indexed and not is_postgres():
        select = select.from_(NodeList((Lead, SQL("NOT INDEXED"))))
    return select, cond


def _count_query(query: QueueQuery, use_index: bool = True):
    select, cond = _leads(fn.COUNT(Lead.id), query=query, use_index=use_index)
    return select.where(cond)


def count_queue(query: QueueQuery, *, use_index: bool = True) -> int:
    """How many leads the queue holds for ``query``. ``use_index=False`` filters text by the
    plain scan (the reference the index's results are tested and benchmarked against)."""
    with current_database().connection_context():
        return _count_query(query, use_index).scalar() or 0


def count_sql(query: QueueQuery, *, use_index: bool = True) -> tuple[str, list[object]]:
    """The SQL and parameters :func:`count_queue` runs (for benchmarks against raw SQL)."""
    with current_database().connection_context():
        return _count_query(query, use_index).sql()


def _page_query(
    query: QueueQuery, offset: int, limit: int, now: dt.datetime, use_index: bool = True
):
    bucket = Case(
        None,
        [
            ((Lead.next_action_at.is_null(False)) & (Lead.next_action_at <= now), 0),
            ((Lead.last_touch_at.is_null()) & (Lead.next_action_at.is_null()), 1),
        ],
        2,
    )
    select, cond = _leads(
        Lead.id,
        Lead.company,
        Lead.contact,
        Lead.rank,
        Lead.is_sql,
        Lead.heard,
        Lead.source,
        Lead.acquired_at,
        Lead.last_touch_at,
        Lead.next_action_at,
        Lead.next_action,
        Lead.do_not_call,
        Operator.display_name.alias("owner_name"),
        query=query,
        use_index=use_index,
    )
    return (
        select.join(Operator, JOIN.LEFT_OUTER, on=(Lead.owner == Operator.id))
        .where(cond)
        .order_by(bucket, fn.COALESCE(Lead.next_action_at, Lead.acquired_at), Lead.id)
        .offset(offset)
        .limit(limit)
    )


def page_sql(
    query: QueueQuery, offset: int, limit: int = PAGE_SIZE, *, use_index: bool = True
) -> tuple[str, list[object]]:
    """The SQL and parameters :func:`queue_page` runs (for benchmarks against raw SQL)."""
    with current_database().connection_context():
        return _page_query(query, offset, limit, query.now or utcnow(), use_index).sql()


def queue_page(
    query: QueueQuery, offset: int, limit: int = PAGE_SIZE, *, use_index: bool = True
) -> list[QueueRow]:
    """Rows ``offset`` … ``offset + limit`` of the queue, in working order (``use_index``:
    as :func:`count_queue`)."""
    now = query.now or utcnow()
    with current_database().connection_context():
        rows = _page_query(query, offset, limit, now, use_index).objects()
        return [
            QueueRow(
                id=r.id,
                company=r.company,
                contact=r.contact,
                rank=r.rank,
                is_sql=bool(r.is_sql),
                heard=r.heard,
                source=r.source,
                owner=r.owner_name or "",
                acquired_at=r.acquired_at,
                last_touch_at=r.last_touch_at,
                next_action_at=r.next_action_at,
                next_action=r.next_action,
                overdue=r.next_action_at is not None and r.next_action_at <= now,
                new=r.last_touch_at is None and r.next_action_at is None,
                do_not_call=bool(r.do_not_call),
            )
            for r in rows
        ]


def next_lead_to_work(actor: Actor, now: dt.datetime | None = None) -> int | None:
    """The id of the first lead in the actor's own queue that may be called, or None."""
    page = queue_page(QueueQuery(actor=actor, now=now, callable_only=True), 0, 1)
    return page[0].id if page else None
