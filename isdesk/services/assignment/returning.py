"""Returning leads: a known lead comes back (e.g. in an import); it stays with its owner, or is
handed out anew, by how long ago the owner last contacted it (``assignment.returning``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

from peewee import fn

from isdesk.domain.routing import PendingLead, contact_days, plan_balanced, returning_decision
from isdesk.rules import Rules
from isdesk.services.assignment.models import ReturningRoute
from isdesk.services.assignment.state import (
    _append_events,
    _chunks,
    _operator_states,
    _set_owner,
    owner_note,
)
from isdesk.services.leads import LeadNotFoundError
from isdesk.store.db import current_database, is_postgres
from isdesk.store.models import Activity, Lead, LeadEvent
from isdesk.store.query import tuples

_TOUCHING = ("call", "email", "appointment", "meeting")  # as isdesk.services.activities


# --- 3. returning leads ----------------------------------------------------------------------


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
            Lead.do_not_call,
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
        rows = tuples(
            Activity.select(Activity.lead, Activity.operator, Activity.kind, fn.MAX(Activity.at))
            .where(Activity.lead.in_(chunk))
            .group_by(Activity.lead, Activity.operator, Activity.kind)
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
        rows = tuples(
            LeadEvent.select(LeadEvent.lead, LeadEvent.new_value, fn.MAX(LeadEvent.at))
            .where((LeadEvent.kind == "owner") & LeadEvent.lead.in_(chunk))
            .group_by(LeadEvent.lead, LeadEvent.new_value)
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
    someone other than the previous owner when anyone else eligible has room; when nobody else
    has, it stays with the previous owner (rule ``returning.no_other_operator``: the balanced
    pick among everyone eligible would be them), so it never waits unassigned while someone
    could work it. A lead without an owner, or whose owner is deactivated, is handed out too.
    A do-not-call lead is never handed out: it stays (rule ``do_not_call``). Keeping writes
    nothing.

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
            if lead.do_not_call:
                name = owner.name if owner else ""
                routes.append(ReturningRoute(lead_id, "keep", "do_not_call", None, name, name))
                continue
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
            if not new_name and owner is not None and owner.active:
                # Nobody else eligible has room: the balanced pick among everyone eligible is
                # its owner, who holds it already. Handing it to nobody would leave it waiting.
                message = (
                    f"{plan.unplaced[0].message}; nobody else has room, so it stays with "
                    f"{owner.name}"
                )
                routes.append(
                    ReturningRoute(
                        lead_id,
                        "keep",
                        "returning.no_other_operator",
                        days,
                        owner.name,
                        owner.name,
                        message,
                    )
                )
                continue
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
                    "note": owner_note(
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
