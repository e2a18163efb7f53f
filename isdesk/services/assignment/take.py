"""Take next: the lead an operator should work now, claiming the oldest allowed unassigned
lead atomically when none of their own is due.

The claim is one statement, built once per process per shape of allowed sources
(:func:`claim_statements`); see the package docstring for how it stays atomic on both backends.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from isdesk.domain.routing import RECEIVING_ROLES
from isdesk.rules import Rules
from isdesk.services.assignment.models import TakeNextRefused, TakenLead
from isdesk.services.assignment.state import open_counts, owner_note, owner_note_around_load
from isdesk.services.operators import Actor
from isdesk.services.queue import QueueQuery, queue_page
from isdesk.store.db import current_database, is_postgres
from isdesk.store.models import Lead, LeadEvent

# A source no group names: group_for gives the group that takes "any other" source.
_NO_SOURCE = "\x00isdesk: no such source"
# The first key of the per-operator take lock (pg_advisory_xact_lock(key, operator id)).
_TAKE_LOCK = 0x7A4E

# --- 4. take next ----------------------------------------------------------------------------


def _allowed_sources(actor: Actor, rules: Rules) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
    """The sources of the leads the actor's group rules let them take: ``(named, others)``:
    the sources their groups name, and, when an ``any`` group admits them, every source but
    ``others`` (None: no such group). ``((), None)`` when no group admits them."""
    ar = rules.assignment
    mine = [g for g in ar.groups if g.operators.admits(actor.name, actor.team)]
    named = tuple(sorted({s for g in mine if g.sources is not None for s in g.sources}))
    others = tuple(sorted(ar.explicit_sources)) if any(g.is_any for g in mine) else None
    return named, others


@dataclass(frozen=True)
class ClaimStatements:
    # SQLite: the load, read before the write lock. Params: operator id, cap.
    load: str
    claim: str  # params: operator id, updated_at, *named, *others, operator id, cap, cap
    event: str  # params: lead, at, actor, kind, field, old_value, new_value, note
    # PostgreSQL: the per-operator lock, then the load, the claim and its owner event as one
    # statement, sent together: one round trip, one (implicit) transaction. Params: the lock's
    # (key, operator id), the load's (operator id, cap), the claim's (operator id, updated_at,
    # *named, *others, cap), then at, actor id, actor name, (source, note head) * named, the
    # note head for any other source, the note tail (see :func:`owner_note_around_load`).
    claim_and_log: str | None
    # PostgreSQL: the same as a prepared statement (planning the statement costs the server
    # more than running it): ``prepare`` once per connection, then ``execute`` (same params).
    name: str = ""
    prepare: str = ""
    execute: str = ""


@functools.lru_cache(maxsize=64)
def claim_statements(param: str, pg: bool, named: int, others: int | None) -> ClaimStatements:
    """The take-next statements for one shape of allowed sources, built once per process.

    Only placeholders vary between shapes: every value is passed as a parameter.
    """
    p = param
    lead, event = Lead._meta.table_name, LeadEvent._meta.table_name
    allowed = []
    if named:
        allowed.append(f'"source" IN ({", ".join([p] * named)})')
    if others is not None:
        allowed.append(f'"source" NOT IN ({", ".join([p] * others)})' if others else "1 = 1")
    # Counting stops at the cap: the check costs O(cap), not O(everything they hold).
    mine = (
        f'(SELECT COUNT(*) FROM (SELECT 1 FROM "{lead}" WHERE "owner_id" = {p} '
        f"AND \"status\" = 'open' LIMIT {p}) AS mine)"
    )
    # PostgreSQL: the subquery locks the oldest allowed lead nobody else has locked (concurrent
    # takers skip it); SQLite: BEGIN IMMEDIATE holds the write lock. Either way the pick, the
    # cap check and the claim are this one statement.
    oldest = (
        f'SELECT "id" FROM "{lead}" WHERE "status" = \'open\' AND "owner_id" IS NULL '
        'AND NOT "do_not_call" '
        f'AND ({" OR ".join(allowed)}) ORDER BY "owner_id", "acquired_at", "id" LIMIT 1'
        + (" FOR UPDATE SKIP LOCKED" if pg else "")
    )
    columns = [f.column_name for f in LeadEvent._meta.sorted_fields if f.name != "id"]
    assert columns == [
        "lead_id", "at", "actor_id", "kind", "field", "old_value", "new_value", "note"
    ]  # fmt: skip
    quoted = [f'"{c}"' for c in columns]

    def claim(load: str) -> str:
        return (
            f'UPDATE "{lead}" SET "owner_id" = {p}, "version" = "version" + 1, '
            f'"updated_at" = {p} WHERE "id" = ({oldest}) AND "owner_id" IS NULL '
            f"AND {load} < {p} "
            'RETURNING "id", "company", "contact", "phone", "rank", "source", "acquired_at"'
        )

    head = (
        "CASE " + " ".join(f'WHEN "source" = {p} THEN {p}' for _ in range(named)) + f" ELSE {p} END"
        if named
        else p
    )
    # One simple-protocol query of two statements: PostgreSQL runs it as one transaction, and
    # each statement takes its own snapshot, so the count (after the lock is granted) sees a
    # claim the operator's other session committed while this one waited. Two sessions of one
    # operator (two terminals) would otherwise each count in their own snapshot and both claim.
    counted = claim('(SELECT "n" FROM "mine")')
    body = (
        f'WITH "mine" AS (SELECT {mine} AS "n"), '
        f'"claimed" AS ({counted}), '
        f'"logged" AS (INSERT INTO "{event}" ({", ".join(quoted)}) '
        f"SELECT \"id\", {p}, {p}, 'owner', '', '', {p}, "
        f'{head} || CAST("n" AS TEXT) || {p} FROM "claimed", "mine") '
        'SELECT "claimed".*, "n" FROM "claimed", "mine"'
    )
    lock = f"SELECT pg_advisory_xact_lock({p}, {p}); "
    name = f"isdesk_take_{named}_{'any' if others is None else others}"
    numbers = iter(range(1, body.count(p) + 1))
    numbered = re.sub(re.escape(p), lambda _: f"${next(numbers)}", body)
    return ClaimStatements(
        load=f"SELECT {mine}",
        claim=claim(mine),
        event=(
            f'INSERT INTO "{event}" ({", ".join(quoted)}) VALUES ({", ".join([p] * len(quoted))})'
        ),
        claim_and_log=lock + body if pg else None,
        name=name if pg else "",
        prepare=f"PREPARE {name} AS {numbered}" if pg else "",
        execute=f"{lock}EXECUTE {name}({', '.join([p] * body.count(p))})" if pg else "",
    )


# The take-next statements prepared on each PostgreSQL connection (by name); None: unknown,
# after a take failed on it (ask the server).
_PREPARED: weakref.WeakKeyDictionary[Any, set[str] | None] = weakref.WeakKeyDictionary()


def _pg_claim(db, sql: ClaimStatements, params: tuple[object, ...]) -> list[tuple[Any, ...]]:
    """Run the PostgreSQL claim as a prepared statement, preparing it in the same round trip on
    a connection that lacks it. If the server lost it (a pooler's DISCARD ALL, say), the plain
    statement runs instead: the failed query was one transaction, rolled back whole."""
    from peewee import DatabaseError

    conn = db.connection()
    known = _PREPARED.get(conn, set())  # a connection new to take-next has none
    if known is None:
        known = {n for (n,) in db.execute_sql("SELECT name FROM pg_prepared_statements")}
    query = sql.execute if sql.name in known else f"{sql.prepare}; {sql.execute}"
    try:
        rows = db.execute_sql(query, params).fetchall()
    except DatabaseError as error:
        _PREPARED[conn] = None  # whether the PREPARE outlived the failed query: ask next time
        if _pgcode(error) not in ("26000", "42P05"):  # no such / already a prepared statement
            raise
        return db.execute_sql(sql.claim_and_log, params).fetchall()
    _PREPARED[conn] = known | {sql.name}
    return rows


def _pgcode(error: BaseException) -> str | None:
    for e in (error, error.__cause__, error.__context__, *error.args[:1]):
        code = getattr(e, "pgcode", None)
        if code:
            return str(code)
    return None


@contextmanager
def _claim_connection(db):
    """This thread's connection. PostgreSQL: from the pool, returned after. SQLite: opened
    once and kept for the thread's next take (opening one runs 4 PRAGMAs; an idle connection
    in WAL mode holds no lock); a surrounding ``connection_context`` still closes it."""
    if is_postgres(db):
        with db.connection_context():
            yield
        return
    if db.is_closed():
        db.connect()
    yield


def _taken(lead: Lead, rules: Rules, claimed: bool, reason: str, load: int) -> TakenLead:
    return TakenLead(
        id=lead.id,
        company=lead.company,
        contact=lead.contact,
        phone=lead.phone,
        rank=lead.rank,
        source=lead.source,
        group=rules.assignment.group_for(lead.source).name,
        acquired_at=lead.acquired_at,
        claimed=claimed,
        reason=reason,
        load=load,
    )


def take_next_lead(actor: Actor, rules: Rules, *, now: dt.datetime) -> TakenLead | None:
    """The lead the operator should work now: their own most urgent lead when one is due
    (an overdue follow-up, or a lead of theirs never touched — the work queue's first two
    buckets, in its order), else the oldest unassigned open lead their group rules allow,
    claimed atomically. A do-not-call lead is never given nor claimed. An operator at the cap
    gets only their own leads. None: nothing to do.

    Claiming writes the owner and one owner event (reason "take_next") in one transaction.
    """
    if actor.role not in RECEIVING_ROLES or not actor.active:
        raise TakeNextRefused(
            f"{actor.name} is {'inactive' if not actor.active else actor.role}: "
            "only active operators and team leads take leads from the queue"
        )
    with current_database().connection_context():  # one connection for the whole take
        first = queue_page(QueueQuery(actor=actor, now=now, callable_only=True), 0, 1)
        if first and (first[0].overdue or first[0].new):
            lead = Lead.get_by_id(first[0].id)
            load = open_counts([actor.id]).get(actor.id, 0)
            reason = "own_overdue" if first[0].overdue else "own_new"
            return _taken(lead, rules, False, reason, load)
        return claim_next_lead(actor, rules, now=now)


def claim_next_lead(actor: Actor, rules: Rules, *, now: dt.datetime) -> TakenLead | None:
    """Claim the oldest unassigned open lead the actor's group rules allow, atomically (the
    second half of :func:`take_next_lead`, without looking at the actor's own queue). None when
    there is none or the actor is at the cap.

    Everything that can be is decided before the write: the allowed sources, the statements
    (built once per process), the parameters and the event notes. PostgreSQL: one round trip
    (the operator's lock, then the load, the claim and the owner event as one statement).
    SQLite: the load is read before the write lock, which then covers two statements: the
    claim (pick the oldest allowed lead, check the cap again, take it: one UPDATE … RETURNING)
    and the owner event.
    """
    ar = rules.assignment
    named, others = _allowed_sources(actor, rules)
    if not named and others is None:
        return None
    db = current_database()
    sql = claim_statements(
        db.param, is_postgres(db), len(named), None if others is None else len(others)
    )
    updated_at = Lead.updated_at.db_value(now)
    at = LeadEvent.at.db_value(now)
    claim = _claim_on_postgres if sql.claim_and_log is not None else _claim_on_sqlite
    with _claim_connection(db):
        row = claim(db, sql, actor, rules, named, others or (), (updated_at, at))
    if row is None:
        return None
    lead_id, company, contact, phone, rank, source, acquired_at, load = row
    group = ar.group_for(source).name
    return TakenLead(
        id=lead_id,
        company=company,
        contact=contact,
        phone=phone,
        rank=rank,
        source=source,
        group=group,
        acquired_at=Lead.acquired_at.python_value(acquired_at),
        claimed=True,
        reason="claimed",
        load=load + 1,
    )


_Claimed = tuple[
    Any, ...
]  # the lead's id, company, contact, phone, rank, source, acquired_at, load


def _claim_on_postgres(
    db, sql: ClaimStatements, actor: Actor, rules: Rules, named: tuple[str, ...],
    others: tuple[str, ...], times: tuple[object, object],
) -> _Claimed | None:  # fmt: skip
    ar, cap = rules.assignment, rules.assignment.holding_cap
    updated_at, at = times
    # The note's text around the load, which the statement counts and splices in.
    notes = {
        g.name: owner_note_around_load("take_next", "take_next", g.name, "take_next", cap)
        for g in ar.groups
    }
    other_head, tail = notes[ar.group_for(_NO_SOURCE).name]
    by_source = [x for s in named for x in (s, notes[ar.group_for(s).name][0])]
    params = (
        _TAKE_LOCK, actor.id,  # the lock
        actor.id, cap,  # the load
        actor.id, updated_at, *named, *others, cap,  # the claim
        at, actor.id, actor.name, *by_source, other_head, tail,  # the owner event
    )  # fmt: skip
    rows = _pg_claim(db, sql, params)
    return rows[0] if rows else None


def _claim_on_sqlite(
    db, sql: ClaimStatements, actor: Actor, rules: Rules, named: tuple[str, ...],
    others: tuple[str, ...], times: tuple[object, object],
) -> _Claimed | None:  # fmt: skip
    ar, cap = rules.assignment, rules.assignment.holding_cap
    updated_at, at = times
    load = db.execute_sql(sql.load, (actor.id, cap)).fetchone()[0]
    if load >= cap:
        return None
    params = (actor.id, updated_at, *named, *others, actor.id, cap, cap)
    notes = {
        g.name: owner_note("take_next", "take_next", g.name, "take_next", load, cap)
        for g in ar.groups
    }
    with db.atomic():
        rows = db.execute_sql(sql.claim, params).fetchall()
        if not rows:
            return None
        lead_id, *_, source, _acquired = rows[0]
        note = notes[ar.group_for(source).name]
        db.execute_sql(sql.event, (lead_id, at, actor.id, "owner", "", "", actor.name, note))
    return (*rows[0], load)
