"""Shared reads and writes of the assignment services: loads, operator states, the cap, the
permission checks, and the owner writes and owner events every change of owner goes through.

Each owner event's note is JSON saying why: reason, the rules key that decided, the group, the
policy and the receiver's open-lead load at that moment (:func:`owner_note`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from peewee import fn

from isdesk.domain.routing import OperatorState
from isdesk.rules import Rules
from isdesk.rules.routing import AssignmentRules
from isdesk.services.assignment.models import (
    AssignmentError,
    LoadChange,
    NotTeamLeadError,
    StaleMovesError,
)
from isdesk.services.operators import Actor
from isdesk.store.models import Lead, LeadEvent, Operator
from isdesk.store.query import tuples

_CHUNK = 500  # ids per IN (...) and rows per INSERT: well inside both backends' limits


# --- reading the state -----------------------------------------------------------------------


def owner_note(
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


# A load no operator holds, to find where owner_note writes the load.
_LOAD_MARK = 987_654_321_987_654_321


def owner_note_around_load(
    reason: str, rule: str, group: str, policy: str, cap: int | None
) -> tuple[str, str]:
    """``(head, tail)`` of :func:`owner_note`'s text around the load: ``head + str(load) +
    tail`` is ``owner_note(reason, rule, group, policy, load, cap)``, for a statement that
    counts the load itself and writes the note in the same step."""
    head, mark, tail = owner_note(reason, rule, group, policy, _LOAD_MARK, cap).partition(
        str(_LOAD_MARK)
    )
    assert mark and str(_LOAD_MARK) not in tail
    return head, tail


def open_counts(owner_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Open leads held per operator id (only those in ``owner_ids`` when given)."""
    query = Lead.select(Lead.owner, fn.COUNT(Lead.id)).where(
        (Lead.status == "open") & Lead.owner.is_null(False)
    )
    if owner_ids is not None:
        query = query.where(Lead.owner.in_(list(owner_ids)))
    return dict(tuples(query.group_by(Lead.owner)))


def _last_received(names: Sequence[str]) -> dict[str, int]:
    if not names:
        return {}
    query = (
        LeadEvent.select(LeadEvent.new_value, fn.MAX(LeadEvent.id))
        .where((LeadEvent.kind == "owner") & LeadEvent.new_value.in_(list(names)))
        .group_by(LeadEvent.new_value)
    )
    return dict(tuples(query))


def _operator_states() -> list[OperatorState]:
    operators = list(Operator.select().order_by(Operator.name))
    counts = open_counts()
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


def cap_of(rules: Rules | None) -> int:
    """The holding cap of these rules (the default rules' when None)."""
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


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])
