"""A team lead moving leads between operators of their team: proposing and applying a
rebalance under the cap, and reassigning chosen leads by hand. All or nothing, within the team.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from isdesk.domain.routing import RECEIVING_ROLES, CandidateLead, plan_rebalance
from isdesk.rules import Rules
from isdesk.services.assignment.models import (
    AssignmentError,
    Move,
    OtherTeamError,
    ReassignResult,
    StaleMovesError,
)
from isdesk.services.assignment.state import (
    _CHUNK,
    _append_events,
    _operator_states,
    _require_lead,
    cap_of,
    open_counts,
    owner_note,
)
from isdesk.services.leads import LeadNotFoundError
from isdesk.services.operators import Actor
from isdesk.store.db import current_database, is_postgres
from isdesk.store.models import Lead, Operator

# --- rebalancing and manual reassignment ----------------------------------------------------


def _recent_cutoff(rules: Rules, now: dt.datetime) -> dt.datetime:
    """Contacts at or after this instant are "recent" (within keep_owner_within_days, counted
    in local calendar days as for returning leads)."""
    zone = rules.calendar.zone
    day = now.astimezone(zone).date() - dt.timedelta(
        days=rules.assignment.returning.keep_owner_within_days
    )
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def propose_rebalance(rules: Rules, team: str, *, now: dt.datetime) -> list[Move]:
    """The moves that bring every operator of ``team`` back under the cap (writes nothing).

    From each operator over the cap, the newest-arrived open leads move first, never one with
    a follow-up in the future or contacted recently (within keep_owner_within_days); each goes
    to the least loaded eligible operator of the lead's group in the same team, who stays
    within the cap. Apply the result with :func:`apply_moves`.
    """
    ar = rules.assignment
    with current_database().connection_context():
        states = _operator_states()
        over = [s for s in states if s.team == team and s.open_leads > ar.holding_cap]
        if not over:
            return []
        movable = (
            Lead.select(Lead.id, Lead.owner, Lead.source, Lead.acquired_at)
            .where(
                (Lead.status == "open")
                & ~Lead.do_not_call
                & Lead.owner.in_([s.id for s in over])
                & (Lead.next_action_at.is_null() | (Lead.next_action_at <= now))
                & (Lead.last_touch_at.is_null() | (Lead.last_touch_at < _recent_cutoff(rules, now)))
            )
            .order_by(Lead.acquired_at.desc(), Lead.id.desc())
        )
        names = {s.id: s.name for s in states}
        candidates = [
            CandidateLead(x.id, names[x.owner_id], x.source, x.acquired_at)
            for x in movable
            if x.owner_id is not None  # always: only the leads of operators over the cap
        ]
    planned = plan_rebalance(states, candidates, ar, team=team)
    return [Move(m.lead_id, m.from_op, m.to_op, f"group {m.group}: {m.reason}") for m in planned]


def _team_operators(actor: Actor, names: Iterable[str]) -> dict[str, Operator]:
    found = {o.name: o for o in Operator.select().where(Operator.name.in_(sorted(set(names))))}
    for name in sorted(set(names)):
        row = found.get(name)
        if row is None:
            raise AssignmentError(f"operator {name!r} does not exist (`isdesk operator list`)")
        if row.team != actor.team:
            raise OtherTeamError(
                f"{name} is in team {row.team}; a lead moves leads within their own team "
                f"({actor.team})"
            )
    return found


def _check_receiver(row: Operator) -> None:
    if not row.active or row.role not in RECEIVING_ROLES:
        state = "deactivated" if not row.active else f"{row.role} sales"
        raise AssignmentError(f"{row.name} is {state} and cannot receive leads")


def _lock_leads(lead_ids: Sequence[int]) -> dict[int, Lead]:
    db = current_database()
    found: dict[int, Lead] = {}
    for start in range(0, len(lead_ids), _CHUNK):
        query = Lead.select(Lead.id, Lead.owner, Lead.status).where(
            Lead.id.in_(list(lead_ids[start : start + _CHUNK]))
        )
        if is_postgres(db):
            query = query.order_by(Lead.id).for_update()
        found.update({x.id: x for x in query})
    return found


def apply_moves(actor: Actor, moves: Sequence[Move], *, now: dt.datetime) -> list[Move]:
    """Carry out exactly ``moves`` (from :func:`propose_rebalance`), all or nothing.

    Refuses (StaleMovesError, nothing written) if any lead's owner is no longer the one the
    proposal saw, or a lead is no longer open: propose again and review.
    """
    _require_lead(actor, "rebalance leads")
    if not moves:
        return []
    ids = [m.lead_id for m in moves]
    if len(set(ids)) != len(ids):
        raise AssignmentError("a lead appears in more than one move: propose again")
    db = current_database()
    with db.connection_context(), db.atomic():
        ops = _team_operators(actor, [m.from_op for m in moves] + [m.to_op for m in moves])
        for m in moves:
            _check_receiver(ops[m.to_op])
        leads = _lock_leads(ids)
        stale = []
        names = {o.id: o.name for o in Operator.select(Operator.id, Operator.name)}
        for m in moves:
            lead = leads.get(m.lead_id)
            if lead is None:
                stale.append(f"lead {m.lead_id} no longer exists")
            elif lead.owner_id != ops[m.from_op].id:
                now_owner = names.get(lead.owner_id, "nobody") if lead.owner_id else "nobody"
                stale.append(f"lead {m.lead_id} now belongs to {now_owner}, not {m.from_op}")
            elif lead.status != "open":
                stale.append(f"lead {m.lead_id} is {lead.status} now")
        if stale:
            raise StaleMovesError(
                "the leads changed since the proposal, nothing was moved: "
                + "; ".join(stale[:10])
                + (f" (and {len(stale) - 10} more)" if len(stale) > 10 else "")
                + ". Propose the rebalance again."
            )
        counts = open_counts([o.id for o in ops.values()])
        loads = {name: counts.get(o.id, 0) for name, o in ops.items()}
        events = []
        for m in moves:
            Lead.update(owner=ops[m.to_op].id, version=Lead.version + 1, updated_at=now).where(
                Lead.id == m.lead_id
            ).execute()
            events.append(
                {
                    "lead": m.lead_id,
                    "at": now,
                    "actor": actor.id,
                    "kind": "owner",
                    "field": "",
                    "old_value": m.from_op,
                    "new_value": m.to_op,
                    "note": owner_note(
                        "rebalance",
                        "assignment.holding_cap",
                        "",
                        "balanced",
                        loads[m.to_op],
                        None,
                        detail=m.reason,
                    ),
                }
            )
            loads[m.to_op] += 1
            loads[m.from_op] -= 1
        _append_events(events)
    return list(moves)


def reassign_leads(
    actor: Actor,
    lead_ids: Sequence[int],
    to_operator: str,
    *,
    now: dt.datetime,
    rules: Rules | None = None,
) -> ReassignResult:
    """A team lead hands chosen leads to one operator of their team, all or nothing.

    The leads must be unassigned or belong to the lead's team. The cap does not stop a lead's
    explicit decision; ``over_cap`` in the result says when it was exceeded.
    """
    _require_lead(actor, "reassign leads")
    cap = cap_of(rules)
    ids = list(dict.fromkeys(lead_ids))
    if not ids:
        raise AssignmentError("no leads given")
    db = current_database()
    with db.connection_context(), db.atomic():
        to = _team_operators(actor, [to_operator])[to_operator]
        _check_receiver(to)
        leads = _lock_leads(ids)
        missing = [i for i in ids if i not in leads]
        if missing:
            raise LeadNotFoundError(f"lead {missing[0]} does not exist")
        owner_ids = {x.owner_id for x in leads.values() if x.owner_id}
        owners = {o.id: o for o in Operator.select().where(Operator.id.in_(list(owner_ids)))}
        for x in leads.values():
            if x.owner_id and owners[x.owner_id].team != actor.team:
                raise OtherTeamError(
                    f"lead {x.id} belongs to {owners[x.owner_id].name} of team "
                    f"{owners[x.owner_id].team}; a lead reassigns leads of their own team"
                )
        load = open_counts([to.id]).get(to.id, 0)
        events = []
        moved = []
        for lead_id in ids:
            x = leads[lead_id]
            if x.owner_id == to.id:
                continue
            Lead.update(owner=to.id, version=Lead.version + 1, updated_at=now).where(
                Lead.id == lead_id
            ).execute()
            old = owners[x.owner_id].name if x.owner_id else ""
            events.append(
                {
                    "lead": lead_id,
                    "at": now,
                    "actor": actor.id,
                    "kind": "owner",
                    "field": "",
                    "old_value": old,
                    "new_value": to.name,
                    "note": owner_note("reassign", "manual", "", "manual", load, cap),
                }
            )
            moved.append(lead_id)
            if x.status == "open":
                load += 1
        _append_events(events)
        return ReassignResult(tuple(moved), to.name, load, load > cap)
