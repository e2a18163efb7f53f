"""Handing leads out: balanced assignment, take-next, returning leads, deactivation, rebalancing.

The rules come from rules.yaml (`assignment:`); the decisions are the pure functions of
isdesk.routing; this module reads the state, calls them and writes the outcome. Every write is
one transaction, and every change of owner appends a LeadEvent(kind="owner") whose old/new
values are login names ("" for nobody) and whose note is JSON saying why: reason, the rules key
that decided, the group, the policy and the receiver's open-lead load at that moment.

Concurrency: "take next" claims a lead atomically, in one statement: ``UPDATE … WHERE id =
(SELECT … LIMIT 1) AND owner_id IS NULL AND <under the cap> RETURNING …``. On PostgreSQL the
subquery locks the oldest allowed lead ``FOR UPDATE SKIP LOCKED`` (concurrent takers skip it and
lock the next one); on SQLite the transaction holds the write lock (``BEGIN IMMEDIATE``). Either
way no lead is ever given to two operators. Batch assignment on PostgreSQL skips leads being
taken at that instant (they are someone's already).

Permissions: only a team lead assigns, rebalances, reassigns or deactivates, and only within
their own team: the receivers (and the operators leads are taken from) are in the lead's team.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from peewee import fn

from isdesk.routing import (
    RECEIVING_ROLES,
    CandidateLead,
    OperatorState,
    PendingLead,
    contact_days,
    plan_balanced,
    plan_rebalance,
    returning_decision,
)
from isdesk.rules import Rules
from isdesk.rules_routing import AssignmentRules
from isdesk.services.leads import LeadNotFoundError
from isdesk.services.operators import Actor
from isdesk.services.queue import QueueQuery, queue_page
from isdesk.store.db import current_database, is_postgres
from isdesk.store.models import Activity, Lead, LeadEvent, Operator

__all__ = [
    "AssignmentError",
    "AssignmentPermissionError",
    "AssignmentReport",
    "AssignmentRow",
    "DeactivationReport",
    "GroupQueue",
    "LoadChange",
    "Move",
    "NotTeamLeadError",
    "OperatorLoad",
    "OtherTeamError",
    "ReassignResult",
    "ReturningRoute",
    "StaleMovesError",
    "TakeNextRefused",
    "TakenLead",
    "UnassignedLead",
    "apply_moves",
    "assign_unassigned",
    "claim_next_lead",
    "deactivate_operator",
    "operator_loads",
    "propose_rebalance",
    "reassign_leads",
    "route_returning_lead",
    "route_returning_leads",
    "take_next_lead",
    "unassigned_by_group",
]

_CHUNK = 500  # ids per IN (...) and rows per INSERT: well inside both backends' limits
_TOUCHING = ("call", "email", "appointment", "meeting")  # as isdesk.services.activities


class AssignmentPermissionError(PermissionError):
    """The actor may not do this; the message says who may."""


class NotTeamLeadError(AssignmentPermissionError):
    pass


class OtherTeamError(AssignmentPermissionError):
    pass


class TakeNextRefused(AssignmentPermissionError):
    """Field sales and deactivated operators do not take leads from the queue."""


class AssignmentError(ValueError):
    """A request isdesk cannot carry out as given (unknown operator, …)."""


class StaleMovesError(AssignmentError):
    """A proposed move no longer matches the data: someone changed the lead's owner meanwhile."""


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRow:
    lead_id: int
    company: str
    source: str
    group: str
    operator: str  # login of the receiver
    load_before: int  # their open leads just before this one
    acquired_at: dt.datetime


@dataclass(frozen=True)
class UnassignedLead:
    lead_id: int
    company: str
    source: str
    group: str
    reason: str  # "no_eligible_operator" | "all_at_cap"
    message: str


@dataclass(frozen=True)
class LoadChange:
    name: str
    team: str
    before: int
    after: int
    cap: int


@dataclass(frozen=True)
class AssignmentReport:
    dry_run: bool
    at: dt.datetime
    policy: str
    cap: int
    team: str | None  # receivers limited to this team (None: every team)
    rows: tuple[AssignmentRow, ...]
    loads: tuple[LoadChange, ...]
    unassigned: tuple[UnassignedLead, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "at": self.at.isoformat(),
            "policy": self.policy,
            "cap": self.cap,
            "team": self.team,
            "assigned": [
                {
                    "lead_id": r.lead_id,
                    "company": r.company,
                    "source": r.source,
                    "group": r.group,
                    "operator": r.operator,
                    "load_before": r.load_before,
                    "acquired_at": r.acquired_at.isoformat(),
                }
                for r in self.rows
            ],
            "loads": [
                {
                    "operator": x.name,
                    "team": x.team,
                    "before": x.before,
                    "after": x.after,
                    "cap": x.cap,
                }
                for x in self.loads
            ],
            "unassigned": [
                {
                    "lead_id": u.lead_id,
                    "company": u.company,
                    "source": u.source,
                    "group": u.group,
                    "reason": u.reason,
                    "message": u.message,
                }
                for u in self.unassigned
            ],
        }


@dataclass(frozen=True)
class DeactivationReport:
    operator: str
    report: AssignmentReport  # where their open leads went (unassigned ones back to the queue)


@dataclass(frozen=True)
class TakenLead:
    id: int
    company: str
    contact: str
    phone: str
    rank: str
    source: str
    group: str
    acquired_at: dt.datetime
    claimed: bool  # True: newly taken from the unassigned queue; False: already theirs
    reason: str  # "claimed" | "own_overdue" | "own_new"
    load: int  # the operator's open leads after this

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "company": self.company,
            "contact": self.contact,
            "phone": self.phone,
            "rank": self.rank,
            "source": self.source,
            "group": self.group,
            "acquired_at": self.acquired_at.isoformat(),
            "claimed": self.claimed,
            "reason": self.reason,
            "load": self.load,
        }


@dataclass(frozen=True)
class ReturningRoute:
    """What happened to a returning lead: ``keep`` (nothing written), ``reassign`` (handed out
    anew; ``owner_after`` "" when nobody could take it) or ``assign`` (it had no owner)."""

    lead_id: int
    action: str
    rule: str
    days: int | None
    owner_before: str
    owner_after: str
    message: str = ""


@dataclass(frozen=True)
class OperatorLoad:
    name: str
    display_name: str
    team: str
    role: str
    active: bool
    open_leads: int
    open_by_rank: dict[str, int] = field(default_factory=dict)
    cap: int = 150
    over_cap: bool = False


@dataclass(frozen=True)
class GroupQueue:
    name: str
    depth: int
    oldest_acquired_at: dt.datetime | None
    oldest_wait_days: int | None = None  # whole days the oldest has waited at `now`


@dataclass(frozen=True)
class Move:
    lead_id: int
    from_op: str
    to_op: str
    reason: str


@dataclass(frozen=True)
class ReassignResult:
    moved: tuple[int, ...]
    to_operator: str
    load_after: int
    over_cap: bool


# --- reading the state -----------------------------------------------------------------------


def _note(
    reason: str, rule: str, group: str, policy: str, load: int, cap: int | None, **more: object
) -> str:
    """The owner event's note: why, by which rule, and the receiver's load at that moment."""
    data = {
        "reason": reason,
        "rule": rule,
        "group": group,
        "policy": policy,
        "load": load,
        **({"cap": cap} if cap is not None else {}),
        **more,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _open_counts(owner_ids: Iterable[int] | None = None) -> dict[int, int]:
    query = Lead.select(Lead.owner, fn.COUNT(Lead.id)).where(
        (Lead.status == "open") & Lead.owner.is_null(False)
    )
    if owner_ids is not None:
        query = query.where(Lead.owner.in_(list(owner_ids)))
    return dict(query.group_by(Lead.owner).tuples())


def _last_received(names: Sequence[str]) -> dict[str, int]:
    if not names:
        return {}
    query = (
        LeadEvent.select(LeadEvent.new_value, fn.MAX(LeadEvent.id))
        .where((LeadEvent.kind == "owner") & LeadEvent.new_value.in_(list(names)))
        .group_by(LeadEvent.new_value)
    )
    return dict(query.tuples())


def _operator_states() -> list[OperatorState]:
    operators = list(Operator.select().order_by(Operator.name))
    counts = _open_counts()
    received = _last_received([o.name for o in operators])
    return [
        OperatorState(
            id=o.id,
            name=o.name,
            team=o.team,
            role=o.role,
            active=bool(o.active),
            open_leads=counts.get(o.id, 0),
            last_received=received.get(o.name, 0),
            display_name=o.display_name,
        )
        for o in operators
    ]


def _cap(rules: Rules | None) -> int:
    return (rules.assignment if rules is not None else AssignmentRules()).holding_cap


def _require_lead(actor: Actor, what: str) -> None:
    if not actor.is_lead:
        raise NotTeamLeadError(
            f"only a team lead may {what}; {actor.name} is {actor.role} (ask your team lead)"
        )


def _operator_row(name: str) -> Operator:
    row = Operator.get_or_none(Operator.name == name)
    if row is None:
        raise AssignmentError(f"operator {name!r} does not exist (`isdesk operator list`)")
    return row


def _load_changes(
    before: Sequence[OperatorState], after: Sequence[OperatorState], cap: int, touched: set[str]
) -> tuple[LoadChange, ...]:
    was = {op.name: op.open_leads for op in before}
    return tuple(
        LoadChange(op.name, op.team, was.get(op.name, 0), op.open_leads, cap)
        for op in sorted(after, key=lambda o: (o.team, o.name))
        if op.name in touched
    )


def _set_owner(
    moves: Sequence[tuple[int, int | None]],
    expected_owner: int | None,
    now: dt.datetime,
) -> None:
    """Give each lead its new owner id, provided it still has ``expected_owner`` (None: none).

    Raises StaleMovesError (rolling the transaction back) if any lead changed meanwhile.
    """
    by_owner: dict[int | None, list[int]] = {}
    for lead_id, owner_id in moves:
        by_owner.setdefault(owner_id, []).append(lead_id)
    for owner_id, ids in by_owner.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            guard = Lead.owner.is_null() if expected_owner is None else Lead.owner == expected_owner
            count = (
                Lead.update(owner=owner_id, version=Lead.version + 1, updated_at=now)
                .where(Lead.id.in_(chunk) & guard)
                .execute()
            )
            if count != len(chunk):
                raise StaleMovesError(
                    f"{len(chunk) - count} of the leads changed owner while being assigned; "
                    "nothing was changed: run it again"
                )


def _append_events(rows: Sequence[dict[str, object]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        LeadEvent.insert_many(rows[start : start + _CHUNK]).execute()


# --- 1. batch assignment ---------------------------------------------------------------------


def assign_unassigned(
    rules: Rules,
    *,
    now: dt.datetime,
    dry_run: bool = False,
    actor: Actor | None = None,
    lead_ids: Iterable[int] | None = None,
) -> AssignmentReport:
    """Hand out every unassigned open lead, in arrival order, by the balanced policy.

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
            .where((Lead.status == "open") & Lead.owner.is_null())
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
                        "note": _note(
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
        moves = [(r.lead_id, ids[r.operator]) for r in plan.rows]
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
                "note": _note(
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
                "note": _note(
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


# --- 3. returning leads ----------------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _returning_leads(ids: Sequence[int]) -> dict[int, Lead]:
    """The leads (what routing reads of them), locked on PostgreSQL in id order."""
    db = current_database()
    found: dict[int, Lead] = {}
    for chunk in _chunks(sorted(ids)):
        query = Lead.select(
            Lead.id,
            Lead.owner,
            Lead.status,
            Lead.source,
            Lead.acquired_at,
            Lead.last_touch_at,
        ).where(Lead.id.in_(chunk))
        if is_postgres(db):
            query = query.order_by(Lead.id).for_update()
        found.update({x.id: x for x in query})
    return found


def _owner_contacts(ids: Sequence[int]) -> tuple[dict[tuple[int, int], dt.datetime], set[int]]:
    """Each (lead, operator)'s latest call/e-mail/appointment/meeting, and the leads that have
    any logged activity at all."""
    latest: dict[tuple[int, int], dt.datetime] = {}
    logged: set[int] = set()
    for chunk in _chunks(ids):
        rows = (
            Activity.select(Activity.lead, Activity.operator, Activity.kind, fn.MAX(Activity.at))
            .where(Activity.lead.in_(chunk))
            .group_by(Activity.lead, Activity.operator, Activity.kind)
            .tuples()
        )
        for lead_id, operator_id, kind, at in rows:
            logged.add(lead_id)
            if kind not in _TOUCHING:
                continue
            at = Activity.at.python_value(at)
            key = (lead_id, operator_id)
            if key not in latest or at > latest[key]:
                latest[key] = at
    return latest, logged


def _received(ids: Sequence[int]) -> dict[tuple[int, str], dt.datetime]:
    """When each (lead, login) last received the lead (owner events)."""
    found: dict[tuple[int, str], dt.datetime] = {}
    for chunk in _chunks(ids):
        rows = (
            LeadEvent.select(LeadEvent.lead, LeadEvent.new_value, fn.MAX(LeadEvent.at))
            .where((LeadEvent.kind == "owner") & LeadEvent.lead.in_(chunk))
            .group_by(LeadEvent.lead, LeadEvent.new_value)
            .tuples()
        )
        for lead_id, name, at in rows:
            found[(lead_id, name)] = LeadEvent.at.python_value(at)
    return found


def route_returning_lead(lead_id: int, rules: Rules, *, now: dt.datetime) -> ReturningRoute:
    """Decide (and carry out) what happens when a known lead comes back: one lead of
    :func:`route_returning_leads`."""
    return route_returning_leads([lead_id], rules, now=now)[0]


def route_returning_leads(
    lead_ids: Iterable[int], rules: Rules, *, now: dt.datetime
) -> list[ReturningRoute]:
    """Decide (and carry out) what happens when known leads come back, in the given order.

    Days are local calendar days (rules.calendar.timezone) since the owner's last contact;
    an owner who never contacted it counts from when they received it. ``days <= keep``
    (30 includes day 30): stays; ``days >= reassign`` (180): handed out anew, balanced, to
    someone other than the previous owner; in between: ``returning.between``. A lead without an
    owner, or whose owner is deactivated, is handed out too. Keeping writes nothing.

    The state (leads, operators' loads, contacts) is read once; each lead is decided by the
    pure routing functions against loads updated in memory as the leads before it moved, so
    the outcome is the one of routing them one by one in this order. The owners and events
    are then written in bulk, in one transaction (the caller's, when there is one). A lead
    given twice is routed once, at its first place: one route per distinct lead.
    """
    ar = rules.assignment
    zone = rules.calendar.zone
    ids = list(dict.fromkeys(lead_ids))
    if not ids:
        return []
    db = current_database()
    with db.connection_context(), db.atomic():
        leads = _returning_leads(ids)
        missing = next((i for i in ids if i not in leads), None)
        if missing is not None:
            raise LeadNotFoundError(f"lead {missing} does not exist")
        states = {s.name: s for s in _operator_states()}
        names = {s.id: s.name for s in states.values()}
        contacts, logged = _owner_contacts(ids)
        received = _received(ids)
        routes: list[ReturningRoute] = []
        moves: dict[int | None, list[tuple[int, int | None]]] = {}  # by the owner it had
        events: list[dict[str, object]] = []
        for lead_id in ids:
            lead = leads[lead_id]
            owner = states[names[lead.owner_id]] if lead.owner_id else None
            if owner is None:
                action, rule, days, before = "assign", "assignment.policy", None, ""
            elif not owner.active:
                action, rule, days, before = "reassign", "owner_inactive", None, owner.name
            else:
                contact = contacts.get((lead_id, owner.id))
                if contact is None and lead.last_touch_at is not None and lead_id not in logged:
                    contact = lead.last_touch_at  # imported history: no activity logged at all
                if contact is None:
                    contact = received.get((lead_id, owner.name), lead.acquired_at)
                days = contact_days(contact, now, zone)
                decision = returning_decision(days, ar.returning)
                if decision.action == "keep":
                    routes.append(
                        ReturningRoute(lead_id, "keep", decision.rule, days, owner.name, owner.name)
                    )
                    continue
                action, rule, before = "reassign", decision.rule, owner.name
            is_open = lead.status == "open"
            current = list(states.values())
            if owner is not None and is_open:  # the lead leaves its owner's load
                current = [
                    replace(s, open_leads=s.open_leads - 1) if s.name == owner.name else s
                    for s in current
                ]
            plan = plan_balanced(
                [PendingLead(lead_id, lead.source, lead.acquired_at)],
                current,
                ar,
                exclude=frozenset({before}) if before else frozenset(),
            )
            new_name = plan.rows[0].operator if plan.rows else ""
            if not new_name and not before:
                message = plan.unplaced[0].message
                routes.append(ReturningRoute(lead_id, action, rule, days, "", "", message))
                continue
            states = {s.name: s for s in plan.operators}
            if new_name and not is_open:  # a closed lead counts in nobody's load
                chosen = states[new_name]
                states[new_name] = replace(chosen, open_leads=chosen.open_leads - 1)
            moves.setdefault(lead.owner_id, []).append(
                (lead_id, states[new_name].id if new_name else None)
            )
            group = plan.rows[0].group if plan.rows else plan.unplaced[0].group
            load = plan.rows[0].load_before if plan.rows else 0
            message = "" if plan.rows else plan.unplaced[0].message
            events.append(
                {
                    "lead": lead_id,
                    "at": now,
                    "actor": None,
                    "kind": "owner",
                    "field": "",
                    "old_value": before,
                    "new_value": new_name,
                    "note": _note(
                        "returning",
                        rule,
                        group,
                        ar.policy,
                        load,
                        ar.holding_cap,
                        days=days,
                        **({"message": message} if message else {}),
                    ),
                }
            )
            routes.append(ReturningRoute(lead_id, action, rule, days, before, new_name, message))
        for expected, owned in moves.items():
            _set_owner(owned, expected, now)
        _append_events(events)
    return routes


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
class _ClaimSql:
    load: str  # params: operator id, cap
    claim: str  # params: operator id, updated_at, *named, *others, operator id, cap, cap
    event: str  # params: lead, at, actor, kind, field, old_value, new_value, note


@functools.lru_cache(maxsize=64)
def _claim_sql(param: str, pg: bool, named: int, others: int | None) -> _ClaimSql:
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
        f'AND ({" OR ".join(allowed)}) ORDER BY "acquired_at", "id" LIMIT 1'
        + (" FOR UPDATE SKIP LOCKED" if pg else "")
    )
    columns = [f.column_name for f in LeadEvent._meta.sorted_fields if f.name != "id"]
    assert columns == [
        "lead_id", "at", "actor_id", "kind", "field", "old_value", "new_value", "note"
    ]  # fmt: skip
    quoted = [f'"{c}"' for c in columns]
    return _ClaimSql(
        load=f"SELECT {mine}",
        claim=(
            f'UPDATE "{lead}" SET "owner_id" = {p}, "version" = "version" + 1, '
            f'"updated_at" = {p} WHERE "id" = ({oldest}) AND "owner_id" IS NULL '
            f"AND {mine} < {p} "
            'RETURNING "id", "company", "contact", "phone", "rank", "source", "acquired_at"'
        ),
        event=(
            f'INSERT INTO "{event}" ({", ".join(quoted)}) VALUES ({", ".join([p] * len(quoted))})'
        ),
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
    claimed atomically. An operator at the cap gets only their own leads. None: nothing to do.

    Claiming writes the owner and one owner event (reason "take_next") in one transaction.
    """
    if actor.role not in RECEIVING_ROLES or not actor.active:
        raise TakeNextRefused(
            f"{actor.name} is {'inactive' if not actor.active else actor.role}: "
            "only active operators and team leads take leads from the queue"
        )
    with current_database().connection_context():  # one connection for the whole take
        first = queue_page(QueueQuery(actor=actor, now=now), 0, 1)
        if first and (first[0].overdue or first[0].new):
            lead = Lead.get_by_id(first[0].id)
            load = _open_counts([actor.id]).get(actor.id, 0)
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
    sql = _claim_sql(db.param, is_postgres(db), len(named), None if others is None else len(others))
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
            g.name: _note("take_next", "take_next", g.name, "take_next", load, cap)
            for g in ar.groups
        }
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


# --- 5. loads, queues, rebalancing, manual reassignment --------------------------------------


def operator_loads(team: str | None = None, rules: Rules | None = None) -> list[OperatorLoad]:
    """Every operator (of ``team``) with their open ("not yet") leads, by rank, and the cap.

    Pass the team's ``rules`` so the cap is rules.yaml's; without them the built-in default.
    """
    cap = _cap(rules)
    with current_database().connection_context():
        query = Operator.select().order_by(Operator.team, Operator.name)
        if team is not None:
            query = query.where(Operator.team == team)
        operators = list(query)
        by_rank: dict[int, dict[str, int]] = {}
        counts = (
            Lead.select(Lead.owner, Lead.rank, fn.COUNT(Lead.id))
            .where((Lead.status == "open") & Lead.owner.in_([o.id for o in operators]))
            .group_by(Lead.owner, Lead.rank)
            .tuples()
        )
        for owner_id, rank, count in counts:
            by_rank.setdefault(owner_id, {})[rank] = count
    loads = []
    for o in operators:
        ranks = dict(sorted(by_rank.get(o.id, {}).items()))
        total = sum(ranks.values())
        loads.append(
            OperatorLoad(
                o.name,
                o.display_name,
                o.team,
                o.role,
                bool(o.active),
                total,
                ranks,
                cap,
                total > cap,
            )
        )
    return loads


def unassigned_by_group(rules: Rules, now: dt.datetime) -> list[GroupQueue]:
    """How many unassigned open leads wait in each group (rules order), and the oldest."""
    ar = rules.assignment
    with current_database().connection_context():
        rows = (
            Lead.select(Lead.source, fn.COUNT(Lead.id), fn.MIN(Lead.acquired_at))
            .where((Lead.status == "open") & Lead.owner.is_null())
            .group_by(Lead.source)
            .tuples()
        )
        depth: dict[str, int] = {g.name: 0 for g in ar.groups}
        oldest: dict[str, dt.datetime] = {}
        for source, count, first in rows:
            name = ar.group_for(source).name
            depth[name] += count
            first = Lead.acquired_at.python_value(first)
            if name not in oldest or first < oldest[name]:
                oldest[name] = first
    return [
        GroupQueue(
            g.name,
            depth[g.name],
            oldest.get(g.name),
            contact_days(oldest[g.name], now, rules.calendar.zone) if g.name in oldest else None,
        )
        for g in ar.groups
    ]


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
                & Lead.owner.in_([s.id for s in over])
                & (Lead.next_action_at.is_null() | (Lead.next_action_at <= now))
                & (Lead.last_touch_at.is_null() | (Lead.last_touch_at < _recent_cutoff(rules, now)))
            )
            .order_by(Lead.acquired_at.desc(), Lead.id.desc())
        )
        names = {s.id: s.name for s in states}
        candidates = [
            CandidateLead(x.id, names[x.owner_id], x.source, x.acquired_at) for x in movable
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
        counts = _open_counts([o.id for o in ops.values()])
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
                    "note": _note(
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
    cap = _cap(rules)
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
        load = _open_counts([to.id]).get(to.id, 0)
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
                    "note": _note("reassign", "manual", "", "manual", load, cap),
                }
            )
            moved.append(lead_id)
            if x.status == "open":
                load += 1
        _append_events(events)
        return ReassignResult(tuple(moved), to.name, load, load > cap)
