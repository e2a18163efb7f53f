"""Handing out leads in bulk: batch assignment of the unassigned queue, and deactivating an
operator (their open leads handed out to their team, or back to the queue).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from isdesk.domain.routing import PendingLead, plan_balanced
from isdesk.rules import Rules
from isdesk.services.assignment.models import (
    AssignmentError,
    AssignmentReport,
    AssignmentRow,
    DeactivationReport,
    OtherTeamError,
    UnassignedLead,
)
from isdesk.services.assignment.state import (
    _append_events,
    _chunks,
    _load_changes,
    _operator_row,
    _operator_states,
    _require_lead,
    _set_owner,
    owner_note,
)
from isdesk.services.operators import Actor
from isdesk.store.db import current_database, is_postgres
from isdesk.store.models import Lead, Operator

# --- 1. batch assignment ---------------------------------------------------------------------


def assign_unassigned(
    rules: Rules,
    *,
    now: dt.datetime,
    dry_run: bool = False,
    actor: Actor | None = None,
    lead_ids: Iterable[int] | None = None,
) -> AssignmentReport:
    """Hand out every unassigned open lead, in arrival order, by the balanced policy (never a
    do-not-call lead: nobody should call it).

    With an ``actor`` (a team lead) the receivers are limited to the actor's team, so each lead
    assigns for their own team; without one (automation) every team receives. ``dry_run``
    computes the same plan and writes nothing. ``lead_ids`` limits it to those leads (e.g. the
    ones an import just created); the ones already owned or closed are left as they are.
    """
    if actor is not None:
        _require_lead(actor, "assign leads")
    team = actor.team if actor is not None else None
    ar = rules.assignment
    db = current_database()
    with db.connection_context(), db.atomic():
        query = (
            Lead.select(Lead.id, Lead.source, Lead.acquired_at, Lead.company)
            .where((Lead.status == "open") & Lead.owner.is_null() & ~Lead.do_not_call)
            .order_by(Lead.acquired_at, Lead.id)
        )
        if is_postgres(db) and not dry_run:
            # Leads being taken at this instant are locked by their taker: skip them.
            query = query.for_update(skip_locked=True)
        if lead_ids is None:
            leads = list(query)
        else:
            leads = [
                x
                for chunk in _chunks(sorted(set(lead_ids)))
                for x in query.where(Lead.id.in_(chunk))
            ]
            leads.sort(key=lambda x: (x.acquired_at, x.id))
        states = _operator_states()
        plan = plan_balanced(
            (PendingLead(x.id, x.source, x.acquired_at) for x in leads), states, ar, team=team
        )
        company = {x.id: x.company for x in leads}
        ids = {op.name: op.id for op in states}
        if not dry_run and plan.rows:
            _set_owner([(r.lead_id, ids[r.operator]) for r in plan.rows], None, now)
            _append_events(
                [
                    {
                        "lead": r.lead_id,
                        "at": now,
                        "actor": actor.id if actor else None,
                        "kind": "owner",
                        "field": "",
                        "old_value": "",
                        "new_value": r.operator,
                        "note": owner_note(
                            "assign",
                            f"assignment.groups.{r.group}",
                            r.group,
                            ar.policy,
                            r.load_before,
                            ar.holding_cap,
                        ),
                    }
                    for r in plan.rows
                ]
            )
    return AssignmentReport(
        dry_run=dry_run,
        at=now,
        policy=ar.policy,
        cap=ar.holding_cap,
        team=team,
        rows=tuple(
            AssignmentRow(
                r.lead_id,
                company[r.lead_id],
                r.source,
                r.group,
                r.operator,
                r.load_before,
                r.acquired_at,
            )
            for r in plan.rows
        ),
        loads=_load_changes(
            states,
            plan.operators,
            ar.holding_cap,
            {op.name for op in plan.operators if op.receives and (team is None or op.team == team)},
        ),
        unassigned=tuple(
            UnassignedLead(u.lead_id, company[u.lead_id], u.source, u.group, u.reason, u.message)
            for u in plan.unplaced
        ),
    )


# --- 2. deactivation -------------------------------------------------------------------------


def deactivate_operator(
    actor: Actor, name: str, rules: Rules, *, now: dt.datetime
) -> DeactivationReport:
    """Mark ``name`` inactive (left, or moved to field sales) and hand out their open leads.

    Each open lead goes to the least loaded eligible operator of its group in the actor's team;
    a lead nobody can take (no one eligible, or all at the cap) goes back to the unassigned
    queue. Other leads (handed off, won, …) keep their owner: they are history.
    """
    _require_lead(actor, "deactivate operators")
    ar = rules.assignment
    db = current_database()
    with db.connection_context(), db.atomic():
        target = _operator_row(name)
        if target.team != actor.team:
            raise OtherTeamError(
                f"{name} is in team {target.team}; a lead deactivates operators of their own "
                f"team ({actor.team})"
            )
        if target.id == actor.id:
            raise AssignmentError("you cannot deactivate yourself: ask another team lead")
        if not target.active:
            raise AssignmentError(f"{name} is already deactivated")
        Operator.update(active=False).where(Operator.id == target.id).execute()
        query = (
            Lead.select(Lead.id, Lead.source, Lead.acquired_at, Lead.company)
            .where((Lead.status == "open") & (Lead.owner == target.id))
            .order_by(Lead.acquired_at, Lead.id)
        )
        if is_postgres(db):
            query = query.for_update()
        leads = list(query)
        states = _operator_states()  # the target is inactive now: never a receiver
        plan = plan_balanced(
            (PendingLead(x.id, x.source, x.acquired_at) for x in leads),
            states,
            ar,
            team=actor.team,
            exclude=frozenset({name}),
        )
        ids = {op.name: op.id for op in states}
        moves: list[tuple[int, int | None]] = [(r.lead_id, ids[r.operator]) for r in plan.rows]
        moves += [(u.lead_id, None) for u in plan.unplaced]
        _set_owner(moves, target.id, now)
        events = [
            {
                "lead": r.lead_id,
                "at": now,
                "actor": actor.id,
                "kind": "owner",
                "field": "",
                "old_value": name,
                "new_value": r.operator,
                "note": owner_note(
                    "deactivated",
                    f"assignment.groups.{r.group}",
                    r.group,
                    ar.policy,
                    r.load_before,
                    ar.holding_cap,
                    operator=name,
                ),
            }
            for r in plan.rows
        ]
        events += [
            {
                "lead": u.lead_id,
                "at": now,
                "actor": actor.id,
                "kind": "owner",
                "field": "",
                "old_value": name,
                "new_value": "",
                "note": owner_note(
                    "deactivated",
                    u.reason,
                    u.group,
                    ar.policy,
                    0,
                    ar.holding_cap,
                    operator=name,
                    message=u.message,
                ),
            }
            for u in plan.unplaced
        ]
        _append_events(events)
    company = {x.id: x.company for x in leads}
    touched = {r.operator for r in plan.rows}
    report = AssignmentReport(
        dry_run=False,
        at=now,
        policy=ar.policy,
        cap=ar.holding_cap,
        team=actor.team,
        rows=tuple(
            AssignmentRow(
                r.lead_id,
                company[r.lead_id],
                r.source,
                r.group,
                r.operator,
                r.load_before,
                r.acquired_at,
            )
            for r in plan.rows
        ),
        loads=_load_changes(states, plan.operators, ar.holding_cap, touched),
        unassigned=tuple(
            UnassignedLead(u.lead_id, company[u.lead_id], u.source, u.group, u.reason, u.message)
            for u in plan.unplaced
        ),
    )
    return DeactivationReport(name, report)
