"""Take next: the lead an operator should work now, claiming the oldest allowed unassigned
lead atomically when none of their own is due.

The claim is one statement, built once per process per shape of allowed sources
(:func:`claim_statements`); see the package docstring for how it stays atomic on both backends.
"""

from __future__ import annotations

import datetime as dt
import functools
from contextlib import contextmanager
from dataclasses import dataclass

from isdesk.domain.routing import RECEIVING_ROLES
from isdesk.rules import Rules
from isdesk.services.assignment.models import TakeNextRefused, TakenLead
from isdesk.services.assignment.state import open_counts, owner_note
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
    load: str  # params: operator id, cap
    claim: str  # params: operator id, updated_at, *named, *others, operator id, cap, cap
    event: str  # params: lead, at, actor, kind, field, old_value, new_value, note
    # PostgreSQL: the claim and its owner event as one statement (one round trip, atomic on
    # its own). Params: the claim's, then at, actor id, actor name, (source, note) * named,
    # the note for any other source.
    claim_and_log: str | None


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
        f'AND ({" OR ".join(allowed)}) ORDER BY "acquired_at", "id" LIMIT 1'
        + (" FOR UPDATE SKIP LOCKED" if pg else "")
    )
    columns = [f.column_name for f in LeadEvent._meta.sorted_fields if f.name != "id"]
    assert columns == [
        "lead_id", "at", "actor_id", "kind", "field", "old_value", "new_value", "note"
    ]  # fmt: skip
    quoted = [f'"{c}"' for c in columns]
    claim = (
        f'UPDATE "{lead}" SET "owner_id" = {p}, "version" = "version" + 1, '
        f'"updated_at" = {p} WHERE "id" = ({oldest}) AND "owner_id" IS NULL '
        f"AND {mine} < {p} "
        'RETURNING "id", "company", "contact", "phone", "rank", "source", "acquired_at"'
    )
    note = (
        "CASE " + " ".join(f'WHEN "source" = {p} THEN {p}' for _ in range(named)) + f" ELSE {p} END"
        if named
        else p
    )
    claim_and_log = (
        f'WITH claimed AS ({claim}), logged AS (INSERT INTO "{event}" ({", ".join(quoted)}) '
        f"SELECT \"id\", {p}, {p}, 'owner', '', '', {p}, {note} FROM claimed) "
        "SELECT * FROM claimed"
    )
    return ClaimStatements(
        load=f"SELECT {mine}",
        claim=claim,
        event=(
            f'INSERT INTO "{event}" ({", ".join(quoted)}) VALUES ({", ".join([p] * len(quoted))})'
        ),
        claim_and_log=claim_and_log if pg else None,
    )


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

    Everything that can be is decided before the write transaction: the allowed sources, the
    statements (built once per process), the parameters, the actor's load and the event notes.
    The transaction is then two statements: the claim (pick the oldest allowed lead, check the
    cap again, take it: one UPDATE … RETURNING) and the owner event.
    """
    ar = rules.assignment
    cap = ar.holding_cap
    named, others = _allowed_sources(actor, rules)
    if not named and others is None:
        return None
    db = current_database()
    sql = claim_statements(
        db.param, is_postgres(db), len(named), None if others is None else len(others)
    )
    params = (
        actor.id, Lead.updated_at.db_value(now), *named, *(others or ()), actor.id, cap, cap
    )  # fmt: skip
    at = LeadEvent.at.db_value(now)
    with _claim_connection(db):
        # Counting stops at the cap: the check costs O(cap), not O(everything they hold).
        load = db.execute_sql(sql.load, (actor.id, cap)).fetchone()[0]
        if load >= cap:
            return None
        notes = {
            g.name: owner_note("take_next", "take_next", g.name, "take_next", load, cap)
            for g in ar.groups
        }
        if sql.claim_and_log is not None:
            # PostgreSQL: the claim and its owner event are one statement, after the
            # per-operator lock: BEGIN, lock, claim, COMMIT instead of one more INSERT.
            by_source = [x for s in named for x in (s, notes[ar.group_for(s).name])]
            other = notes[ar.group_for(_NO_SOURCE).name]
            log = (at, actor.id, actor.name, *by_source, other)
            with db.atomic():
                # Two sessions of one operator (two terminals) would each count the load in
                # their own snapshot and both claim: one lock per operator makes the second
                # wait, and its claim statement then counts the first one's lead.
                db.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (_TAKE_LOCK, actor.id))
                rows = db.execute_sql(sql.claim_and_log, (*params, *log)).fetchall()
            if not rows:
                return None
            lead_id, company, contact, phone, rank, source, acquired_at = rows[0]
            group = ar.group_for(source).name
        else:
            with db.atomic():
                rows = db.execute_sql(sql.claim, params).fetchall()
                if not rows:
                    return None
                lead_id, company, contact, phone, rank, source, acquired_at = rows[0]
                group = ar.group_for(source).name
                db.execute_sql(
                    sql.event, (lead_id, at, actor.id, "owner", "", "", actor.name, notes[group])
                )
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
