"""A lead's timeline: its events and activities as one list, newest first, with names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from isdesk.store.models import Activity, LeadEvent, Operator


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: str
    kind: str
    field: str
    old_value: str | None
    new_value: str | None
    note: str


def _login_values(e: LeadEvent) -> tuple[str | None, ...]:
    """The values of an event that are operator logins (isdesk.services.handoff writes them)."""
    if e.kind == "owner":
        return (e.old_value, e.new_value)
    if e.kind == "handoff":
        return (e.old_value,) if e.field == "rejected" else (e.new_value,)
    return ()


def timeline(
    events: Iterable[LeadEvent],
    activities: Iterable[Activity],
    names: Mapping[int, str],
    limit: int,
) -> tuple[HistoryEntry, ...]:
    """Events and activities, newest first, at most ``limit``; actors by ``names`` (id →
    display name). Owner and hand-off events record logins (they outlive a renamed display
    name): those are shown by name too, read in one query."""
    events = list(events)
    logins = {v for e in events for v in _login_values(e) if v}
    shown = (
        {o.name: o.display_name for o in Operator.select().where(Operator.name.in_(logins))}
        if logins
        else {}
    )

    def named(e: LeadEvent, value: str | None) -> str | None:
        return shown.get(value, value) if value and value in _login_values(e) else value

    entries = [
        HistoryEntry(
            at=e.at,
            actor=names.get(e.actor_id, "") if e.actor_id else "",
            kind=e.kind,
            field=e.field,
            old_value=named(e, e.old_value),
            new_value=named(e, e.new_value),
            note=e.note,
        )
        for e in events
    ]
    # Calls, e-mails and notes read as part of the same timeline.
    entries += [
        HistoryEntry(
            at=a.at,
            actor=names.get(a.operator_id, ""),
            kind="activity",
            field=a.kind,
            old_value=str(a.duration_s) if a.duration_s else None,
            new_value=a.outcome or None,
            note=a.note,
        )
        for a in activities
    ]
    entries.sort(key=lambda h: h.at, reverse=True)
    return tuple(entries[:limit])
